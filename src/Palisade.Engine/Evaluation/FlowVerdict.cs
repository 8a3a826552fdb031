namespace Palisade.Engine.Evaluation;

/// <summary>A flow is allowed only if the source's egress and the destination's ingress both allow it.</summary>
public sealed record FlowVerdict(Flow Flow, DirectionVerdict Egress, DirectionVerdict Ingress)
{
    public bool Allowed => Egress.Allowed && Ingress.Allowed;
}
