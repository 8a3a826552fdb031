using System.Text.Json;
using System.Text.Json.Serialization;
using Palisade.Model;

namespace Palisade.Linux.Lab;

/// <summary>Writes a port as <c>80/TCP</c> and reads it back.</summary>
internal sealed class PortSpecJsonConverter : JsonConverter<PortSpec>
{
    public override PortSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        PortSpec.TryParse(reader.GetString(), out var spec, out var error) ? spec : throw new JsonException($"port {error}");

    public override void Write(Utf8JsonWriter writer, PortSpec value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
