using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Palisade.Audit;

/// <summary>
/// An Ed25519 key of the C2SP signed-note format: a name (the log or component it signs for), a 4-byte key ID
/// (the first bytes of SHA-256(name || '\n' || 0x01 || public key)), and the keys, written as Go's note package writes
/// them — <c>NAME+KEYID+BASE64(0x01 || public key)</c> for verifiers and <c>PRIVATE+KEY+NAME+KEYID+BASE64(0x01 || seed)</c>
/// for signers — so keys move between Palisade and the Go and Sigstore tools.
/// </summary>
public sealed class NoteKey : IDisposable
{
    private const byte AlgorithmEd25519 = 1;
    private static readonly SignatureAlgorithm Ed = SignatureAlgorithm.Ed25519;

    private readonly Key? _private;

    private NoteKey(string name, PublicKey publicKey, Key? privateKey)
    {
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == '+'))
        {
            throw new FormatException($"a key name must be non-empty, without spaces or '+': \"{name}\"");
        }

        Name = name;
        PublicKey = publicKey;
        _private = privateKey;
        var raw = publicKey.Export(KeyBlobFormat.RawPublicKey);
        PublicKeyBytes = raw;
        var material = new byte[Encoding.UTF8.GetByteCount(name) + 2 + raw.Length];
        var at = Encoding.UTF8.GetBytes(name, material);
        material[at] = (byte)'\n';
        material[at + 1] = AlgorithmEd25519;
        raw.CopyTo(material, at + 2);
        KeyId = SHA256.HashData(material)[..4];
    }

    public string Name { get; }

    /// <summary>The 4-byte key ID every signature line starts with.</summary>
    public byte[] KeyId { get; }

    public PublicKey PublicKey { get; }

    public byte[] PublicKeyBytes { get; }

    /// <summary>Whether this key can sign (it was made or read with its private half).</summary>
    public bool CanSign => _private is not null;

    /// <summary>The verifier key text: <c>NAME+KEYID+BASE64(0x01 || public key)</c>.</summary>
    public string VerifierKey => $"{Name}+{Convert.ToHexStringLower(KeyId)}+{Convert.ToBase64String([AlgorithmEd25519, .. PublicKeyBytes])}";

    /// <summary>A new key pair.</summary>
    public static NoteKey Generate(string name)
    {
        var key = Key.Create(Ed, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new NoteKey(name, key.PublicKey, key);
    }

    /// <summary>Reads a verifier key (<c>NAME+KEYID+BASE64</c>); the key ID must match the key.</summary>
    /// <exception cref="FormatException">Not a verifier key of an Ed25519 note signer.</exception>
    public static NoteKey ParseVerifier(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException($"a verifier key is NAME+KEYID+KEY, got \"{Cut(text)}\"");
        }

        var raw = Base64(parts[2], "verifier key");
        if (raw.Length != 33 || raw[0] != AlgorithmEd25519)
        {
            throw new FormatException($"verifier key {parts[0]}: not an Ed25519 key (type 0x01 and 32 bytes)");
        }

        var key = new NoteKey(parts[0], PublicKey.Import(Ed, raw.AsSpan(1), KeyBlobFormat.RawPublicKey), null);
        if (!string.Equals(Convert.ToHexStringLower(key.KeyId), parts[1], StringComparison.Ordinal))
        {
            throw new FormatException($"verifier key {parts[0]}: the key ID {parts[1]} is not the key's ({Convert.ToHexStringLower(key.KeyId)})");
        }

        return key;
    }

    /// <summary>Reads a signer key (<c>PRIVATE+KEY+NAME+KEYID+BASE64(0x01 || seed)</c>).</summary>
    public static NoteKey ParseSigner(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('+', 5);
        if (parts.Length != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY")
        {
            throw new FormatException("a signer key is PRIVATE+KEY+NAME+KEYID+KEY");
        }

        var raw = Base64(parts[4], "signer key");
        if (raw.Length != 33 || raw[0] != AlgorithmEd25519)
        {
            throw new FormatException($"signer key {parts[2]}: not an Ed25519 key (type 0x01 and a 32-byte seed)");
        }

        var key = Key.Import(Ed, raw.AsSpan(1), KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var note = new NoteKey(parts[2], key.PublicKey, key);
        if (!string.Equals(Convert.ToHexStringLower(note.KeyId), parts[3], StringComparison.Ordinal))
        {
            note.Dispose();
            throw new FormatException($"signer key {parts[2]}: the key ID {parts[3]} is not the key's");
        }

        return note;
    }

    /// <summary>The signer key text (keep it secret): <c>PRIVATE+KEY+NAME+KEYID+BASE64(0x01 || seed)</c>.</summary>
    public string SignerKey()
    {
        var seed = (_private ?? throw new InvalidOperationException($"{Name}: a verifier key cannot sign")).Export(KeyBlobFormat.RawPrivateKey);
        return $"PRIVATE+KEY+{Name}+{Convert.ToHexStringLower(KeyId)}+{Convert.ToBase64String([AlgorithmEd25519, .. seed])}";
    }

    /// <summary>An Ed25519 signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) =>
        Ed.Sign(_private ?? throw new InvalidOperationException($"{Name}: a verifier key cannot sign"), message);

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => Ed.Verify(PublicKey, message, signature);

    public void Dispose() => _private?.Dispose();

    private static byte[] Base64(string text, string what)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new FormatException($"the {what}'s key material is not base64");
        }
    }

    private static string Cut(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
