using System.Text.Json.Serialization;

namespace Palisade.Store;

/// <summary>The backup format's JSON contract (source-generated, camelCase).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoreBackup.Header))]
[JsonSerializable(typeof(StoreBackup.Entry))]
[JsonSerializable(typeof(StoreBackup.Trailer))]
internal sealed partial class BackupJson : JsonSerializerContext;
