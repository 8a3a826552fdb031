using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Palisade.Server.Security;

/// <summary>
/// The server's secrets under its data directory: a CA made on first start (kept in <c>pki/</c>), a serving certificate
/// it signs at every start for the addresses the server answers on, and the admin token, of which the server keeps only
/// the hash (the token itself lives in <c>admin.kubeconfig</c>, the file a user hands to kubectl).
/// </summary>
internal sealed class ServerCredentials : IDisposable
{
    private const string CaCertificateFile = "ca.crt";
    private const string CaKeyFile = "ca.key";
    private const string TokenHashesFile = "admin-token.sha256";

    private ServerCredentials(X509Certificate2 ca, X509Certificate2 serving, string adminToken, byte[] adminTokenHash, bool newToken)
    {
        Ca = ca;
        Serving = serving;
        AdminToken = adminToken;
        AdminTokenHash = adminTokenHash;
        IssuedNewToken = newToken;
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Serving { get; }

    public string AdminToken { get; }

    public byte[] AdminTokenHash { get; }

    /// <summary>Whether the admin token was made at this start (first start, or the kubeconfig holding it was lost).</summary>
    public bool IssuedNewToken { get; }

    /// <summary>Loads the CA and the admin token (making them on first start) and signs a serving certificate for <paramref name="addresses"/>.</summary>
    public static ServerCredentials Load(string dataDirectory, IEnumerable<IPAddress> addresses, TimeProvider time)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        Directory.CreateDirectory(pki);
        var ca = LoadOrCreateCa(pki, time);
        var serving = IssueServing(ca, addresses, time);
        var hashesPath = Path.Combine(pki, TokenHashesFile);
        var hashes = File.Exists(hashesPath)
            ? File.ReadAllLines(hashesPath).Where(l => l.Length > 0).Select(Convert.FromHexString).ToList()
            : [];
        var token = AdminKubeconfig.ReadToken(Path.Combine(dataDirectory, AdminKubeconfig.FileName));
        if (token is not null && hashes.Any(h => h.AsSpan().SequenceEqual(Hash(token))))
        {
            return new ServerCredentials(ca, serving, token, Hash(token), newToken: false);
        }

        token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Hash(token);
        WritePrivate(hashesPath, Convert.ToHexString(hash) + "\n");
        return new ServerCredentials(ca, serving, token, hash, newToken: true);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public void Dispose()
    {
        Ca.Dispose();
        Serving.Dispose();
    }

    private static X509Certificate2 LoadOrCreateCa(string pki, TimeProvider time)
    {
        var certPath = Path.Combine(pki, CaCertificateFile);
        var keyPath = Path.Combine(pki, CaKeyFile);
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=palisade-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, ca.ExportCertificatePem());
        return ca;
    }

    private static X509Certificate2 IssueServing(X509Certificate2 ca, IEnumerable<IPAddress> addresses, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=palisade-server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        foreach (var address in addresses.Append(IPAddress.Loopback).Append(IPAddress.IPv6Loopback).Distinct())
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = time.GetUtcNow();
        var notAfter = now.AddYears(1) < ca.NotAfter ? now.AddYears(1) : new DateTimeOffset(ca.NotAfter);
        using var signed = request.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(key);

        // Through PKCS#12 so the key is usable by the TLS stack on every platform, not only as an ephemeral key.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes a file only its owner may read (keys, token hashes).</summary>
    internal static void WritePrivate(string path, string text)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
