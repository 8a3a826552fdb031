using Palisade.Linux;

namespace Palisade.Cli.Commands;

/// <summary>The first step of a command that works on the kernel: stop with what to install (exit 2) when the machine lacks it.</summary>
internal static class KernelCheck
{
    public static void Require(string command, KernelNeeds needs)
    {
        if (KernelPreflight.ForThisProcess().Problem(command, needs) is { } problem)
        {
            throw new UsageException(problem);
        }
    }
}
