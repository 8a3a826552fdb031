namespace Palisade.Model.Selectors;

/// <summary>The operators of a Kubernetes label-selector requirement (matchExpressions[].operator).</summary>
public enum LabelSelectorOperator
{
    /// <summary>The label is present and its value is one of the values.</summary>
    In,

    /// <summary>The label is absent, or its value is none of the values.</summary>
    NotIn,

    /// <summary>The label is present; values must be empty.</summary>
    Exists,

    /// <summary>The label is absent; values must be empty.</summary>
    DoesNotExist,
}
