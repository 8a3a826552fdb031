using System.Runtime.InteropServices;

namespace Palisade.Dataplane.Nftables;

/// <summary>
/// One long-lived libnftables context in the calling process's network namespace: runs a batch of commands as one
/// transaction (all or nothing) and returns what nft printed. Not thread-safe: one writer owns it.
/// </summary>
public sealed class NftablesContext : IDisposable
{
    private IntPtr ctx;

    public NftablesContext()
    {
        ctx = NftablesNative.CtxNew(0);
        if (ctx == IntPtr.Zero)
        {
            throw new InvalidOperationException("libnftables could not create a context (is libnftables1 installed?)");
        }

        if (NftablesNative.BufferOutput(ctx) != 0 || NftablesNative.BufferError(ctx) != 0)
        {
            NftablesNative.CtxFree(ctx);
            throw new InvalidOperationException("libnftables could not buffer its output");
        }
    }

    /// <summary>Runs the commands as one transaction; throws <see cref="NftablesException"/> with nft's message on failure.</summary>
    public string Run(string commands)
    {
        ObjectDisposedException.ThrowIf(ctx == IntPtr.Zero, this);
        ArgumentNullException.ThrowIfNull(commands);
        var rc = NftablesNative.RunCmdFromBuffer(ctx, commands);
        var output = Marshal.PtrToStringUTF8(NftablesNative.GetOutputBuffer(ctx)) ?? string.Empty;
        if (rc != 0)
        {
            var error = Marshal.PtrToStringUTF8(NftablesNative.GetErrorBuffer(ctx)) ?? string.Empty;
            throw new NftablesException(error.Trim(), commands);
        }

        return output;
    }

    public void Dispose()
    {
        if (ctx != IntPtr.Zero)
        {
            NftablesNative.CtxFree(ctx);
            ctx = IntPtr.Zero;
        }
    }
}
