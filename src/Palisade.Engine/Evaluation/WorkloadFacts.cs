using Palisade.Model;

namespace Palisade.Engine.Evaluation;

/// <summary>Gives Calico's views of a workload's labels on demand (they are derived, and only Calico peers read them).</summary>
public interface ICalicoView
{
    /// <summary>The workload's labels plus Calico's inherited <c>pcns.</c>/<c>pcsa.</c> and <c>projectcalico.org/*</c> labels.</summary>
    LabelSet CalicoLabels();

    /// <summary>The namespace's labels plus <c>projectcalico.org/name</c>.</summary>
    LabelSet CalicoNamespaceLabels();
}

/// <summary>What peers read of a workload: its namespace, labels, service account and the labels of both.</summary>
public readonly struct WorkloadFacts(string ns, LabelSet labels, string serviceAccount, LabelSet namespaceLabels, LabelSet serviceAccountLabels, ICalicoView? calico)
{
    public string Namespace { get; } = ns;

    public LabelSet Labels { get; } = labels;

    public string ServiceAccount { get; } = serviceAccount;

    public LabelSet NamespaceLabels { get; } = namespaceLabels;

    public LabelSet ServiceAccountLabels { get; } = serviceAccountLabels;

    public LabelSet CalicoLabels() => calico?.CalicoLabels() ?? Labels;

    public LabelSet CalicoNamespaceLabels() => calico?.CalicoNamespaceLabels() ?? NamespaceLabels;
}
