using System.Diagnostics;

namespace Palisade.Cli;

/// <summary>
/// The command line that runs this same program again with other arguments (the lab's server, an agent process):
/// the apphost when it runs as one, otherwise the dotnet host with this assembly.
/// </summary>
internal static class SelfCommand
{
    public static List<string> Line(params IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var line = new List<string>();
        if (Path.GetFileNameWithoutExtension(host) == "palisade")
        {
            line.Add(host);
        }
        else
        {
            line.Add(Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
            line.Add("exec");
            line.Add(typeof(SelfCommand).Assembly.Location);
        }

        line.AddRange(args);
        return line;
    }

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var line = Line(args);
        return new ProcessStartInfo(line[0], line.Skip(1));
    }
}
