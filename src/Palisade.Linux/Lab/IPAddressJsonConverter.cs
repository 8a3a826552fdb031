using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Palisade.Linux.Lab;

/// <summary>Writes an address as text and reads it back.</summary>
internal sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        IPAddress.TryParse(reader.GetString(), out var ip) ? ip : throw new JsonException($"'{reader.GetString()}' is not an IP address");

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
