using System.Text.Json;
using System.Text.Json.Serialization;

namespace Palisade.Linux.Lab;

/// <summary>The state file's JSON shape: camelCase names, addresses and ports as text (<c>10.0.0.1</c>, <c>80/TCP</c>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, Converters = [typeof(PortSpecJsonConverter), typeof(IPAddressJsonConverter)])]
[JsonSerializable(typeof(LabState))]
internal sealed partial class LabJsonContext : JsonSerializerContext;
