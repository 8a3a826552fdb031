using System.Text;

namespace Palisade.Server.Api;

/// <summary>
/// A minimal OpenAPI v2 document in the protobuf form kubectl asks for (gnostic's <c>openapi_v2.Document</c>: swagger,
/// info, empty paths). kubectl falls back to it to validate kinds the v3 documents do not describe (a Service in a file
/// of workloads); with no schema for a kind it validates nothing, and the server then refuses the kind itself, so one
/// foreign object no longer stops a whole file.
/// </summary>
internal static class OpenApiV2
{
    /// <summary>What kube-apiserver answers with: Go's MIME parser refuses the requested type's <c>@</c>.</summary>
    public const string ContentType = "application/octet-stream";

    public static byte[] Document { get; } = Build();

    private static byte[] Build()
    {
        var info = Concat(Field(1, "Palisade"), Field(2, Discovery.KubernetesVersion));
        return Concat(Field(1, "2.0"), Field(2, info), Field(8, []));
    }

    private static byte[] Field(int number, string text) => Field(number, Encoding.UTF8.GetBytes(text));

    /// <summary>A length-delimited field (wire type 2): tag, varint length, bytes.</summary>
    private static byte[] Field(int number, byte[] value)
    {
        var bytes = new List<byte> { (byte)((number << 3) | 2) };
        var length = value.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            bytes.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        bytes.AddRange(value);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
