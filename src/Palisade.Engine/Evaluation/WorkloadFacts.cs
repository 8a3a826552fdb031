using Palisade.Model;

namespace Palisade.Engine.Evaluation;

/// <summary>
/// What peers read of a workload: its namespace, labels, service account and the labels of both, with the Calico views
/// (inherited <c>pcns.</c>/<c>pcsa.</c> and <c>projectcalico.org/*</c> labels) computed only when a Calico peer asks.
/// </summary>
public readonly struct WorkloadFacts
{
    private readonly Func<LabelSet>? calicoLabels;
    private readonly Func<LabelSet>? calicoNamespaceLabels;

    public WorkloadFacts(string ns, LabelSet labels, string serviceAccount, LabelSet namespaceLabels, LabelSet serviceAccountLabels, Func<LabelSet>? calicoLabels, Func<LabelSet>? calicoNamespaceLabels)
    {
        Namespace = ns;
        Labels = labels;
        ServiceAccount = serviceAccount;
        NamespaceLabels = namespaceLabels;
        ServiceAccountLabels = serviceAccountLabels;
        this.calicoLabels = calicoLabels;
        this.calicoNamespaceLabels = calicoNamespaceLabels;
    }

    public string Namespace { get; }

    public LabelSet Labels { get; }

    public string ServiceAccount { get; }

    public LabelSet NamespaceLabels { get; }

    public LabelSet ServiceAccountLabels { get; }

    public LabelSet CalicoLabels() => calicoLabels?.Invoke() ?? Labels;

    public LabelSet CalicoNamespaceLabels() => calicoNamespaceLabels?.Invoke() ?? NamespaceLabels;
}
