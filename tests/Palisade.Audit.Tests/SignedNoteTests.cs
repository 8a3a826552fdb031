namespace Palisade.Audit.Tests;

/// <summary>Signed notes and checkpoints against the vectors of Go's sumdb/note and the C2SP signed-note specification.</summary>
public sealed class SignedNoteTests
{
    // golang.org/x/mod/sumdb/note's test keys and note (Ed25519 signatures are deterministic, RFC 8032).
    private const string PeterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private const string PeterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string EnochVerifier = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private const string Text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string PeterNote = Text + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private const string EnochLine = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    // The example of the C2SP signed-note specification.
    private const string SpecVerifier = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string SpecNote = "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    [Fact]
    public void GoSignerKey_DerivesGoVerifierKey_AndSignsTheGoNoteByteForByte()
    {
        using var peter = NoteKey.ParseSigner(PeterSigner);

        Assert.Equal(PeterVerifier, peter.VerifierKey);
        Assert.Equal(PeterSigner, peter.SignerKey());
        Assert.Equal(PeterNote, SignedNote.Sign(Text, peter));
    }

    [Fact]
    public void Open_GoNoteWithTwoSignatures_VerifiesBoth_AndIgnoresUnknownKeys()
    {
        var note = PeterNote + EnochLine;
        using var peter = NoteKey.ParseVerifier(PeterVerifier);
        using var enoch = NoteKey.ParseVerifier(EnochVerifier);

        var opened = SignedNote.Open(note, [peter, enoch]);
        Assert.Equal(Text, opened.Text);
        Assert.Equal(["PeterNeumann", "EnochRoot"], opened.SignedBy);
        Assert.Equal(["EnochRoot"], SignedNote.Open(note, [enoch]).SignedBy);
    }

    [Fact]
    public void Open_SpecExample_Verifies()
    {
        using var key = NoteKey.ParseVerifier(SpecVerifier);

        Assert.Equal("This is an example message.\n", SignedNote.Open(SpecNote, [key]).Text);
    }

    [Theory]
    [InlineData("cryptography", "cryptographY", "does not verify")]
    [InlineData("LLr8pAcE", "LLr8pAcF", "does not verify")]
    [InlineData("\n\n\u2014", "\n\u2014", "no blank line")]
    public void Open_ATamperedNote_Fails(string from, string to, string expected)
    {
        using var peter = NoteKey.ParseVerifier(PeterVerifier);

        var error = Assert.Throws<FormatException>(() => SignedNote.Open(PeterNote.Replace(from, to, StringComparison.Ordinal), [peter]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ByNoKnownKey_Fails()
    {
        using var enoch = NoteKey.ParseVerifier(EnochVerifier);

        Assert.Contains("signed by none of the known keys", Assert.Throws<FormatException>(() => SignedNote.Open(PeterNote, [enoch])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key ID")]
    [InlineData("PeterNeumann+c74f20a3+AhpcZ2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not an Ed25519 key")]
    [InlineData("PeterNeumann", "NAME+KEYID+KEY")]
    public void ParseVerifier_Refuses(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => NoteKey.ParseVerifier(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Checkpoint_RoundTrips_SignedByANewKey_AndAChangedSizeFails()
    {
        using var log = NoteKey.Generate("palisade.example/audit");
        var root = MerkleTree.LeafHash([1, 2, 3]);
        var checkpoint = new Checkpoint("palisade.example/audit", 42, root, ["extension line"]);

        var note = checkpoint.Sign(log);
        var opened = Checkpoint.Open(note, [log]);

        Assert.Equal(("palisade.example/audit", 42L, Convert.ToHexString(root), "extension line"), (opened.Origin, opened.Size, Convert.ToHexString(opened.Root), opened.Extensions.Single()));
        Assert.StartsWith($"palisade.example/audit\n42\n{Convert.ToBase64String(root)}\nextension line\n\n\u2014 palisade.example/audit ", note, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Checkpoint.Open(note.Replace("\n42\n", "\n43\n", StringComparison.Ordinal), [log]));
        using var again = NoteKey.ParseSigner(log.SignerKey());
        Assert.Equal(note, checkpoint.Sign(again));
    }

    [Theory]
    [InlineData("origin\n007\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "leading zeros")]
    [InlineData("origin\n7\nAAAA\n", "32 (SHA-256)")]
    [InlineData("origin\n7\n", "origin line, a size line and a root hash line")]
    public void Checkpoint_Parse_Refuses(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => Checkpoint.Parse(text)).Message, StringComparison.Ordinal);
}
