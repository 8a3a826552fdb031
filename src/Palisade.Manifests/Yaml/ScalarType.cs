namespace Palisade.Manifests.Yaml;

/// <summary>The type a YAML scalar resolves to, as Kubernetes' YAML reader (YAML 1.1 rules) would resolve it.</summary>
internal enum ScalarType
{
    Null,
    Bool,
    Integer,
    Float,
    String,
}
