using Palisade.Manifests.Yaml;

namespace Palisade.Manifests;

/// <summary>Reads the objects of some kinds (one dialect's) into the inventory.</summary>
internal interface IObjectReader
{
    bool Handles(string apiVersion, string kind);

    void Read(ObjectReader reader, InventoryBuilder into);
}
