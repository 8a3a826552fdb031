namespace Palisade.Model.Policies;

/// <summary>Which end of a flow a policy guards: ingress at the destination, egress at the source.</summary>
public enum Direction
{
    Ingress,
    Egress,
}
