using System.Xml.Linq;

namespace Palisade.Architecture.Tests;

/// <summary>
/// The whole table of allowed project references, and the check of every project file against it. A part depends only
/// on parts above it in the data path (Model ← Manifests; Model ← Engine ← Data plane, Agent, Lab ← CLI); the engine
/// never parses YAML and a renderer never sees a manifest. A new project, or a new reference, is a decision: make it
/// here, in the table, where a reviewer sees it.
/// </summary>
internal static class Layering
{
    private const string Model = "Palisade.Model";
    private const string Manifests = "Palisade.Manifests";
    private const string Engine = "Palisade.Engine";
    private const string Linux = "Palisade.Linux";
    private const string Nftables = "Palisade.Dataplane.Nftables";
    private const string Agent = "Palisade.Agent";
    private const string Lab = "Palisade.Lab";
    private const string Bench = "Palisade.Bench";
    private const string Cli = "Palisade.Cli";
    private const string Store = "Palisade.Store";
    private const string Server = "Palisade.Server";
    private const string Client = "Palisade.Client";
    private const string Audit = "Palisade.Audit";

    /// <summary>Each project and the projects it may reference directly (and nothing else).</summary>
    public static IReadOnlyDictionary<string, string[]> AllowedProjects { get; } = new Dictionary<string, string[]>
    {
        [Model] = [],
        [Manifests] = [Model],
        [Engine] = [Model],
        [Linux] = [Model],
        [Nftables] = [Model, Engine, Linux],
        [Agent] = [Model, Manifests, Engine, Nftables, Linux, Client],
        [Lab] = [Model, Manifests, Engine, Nftables, Linux, Agent],
        [Bench] = [Model, Engine, Nftables, Agent, Linux],
        [Cli] = [Model, Manifests, Engine, Nftables, Linux, Agent, Lab, Bench, Store, Client, Server],
        [Client] = [],
        [Audit] = [],
        [Store] = [],
        [Server] = [Model, Manifests, Engine, Store],

        ["Palisade.Model.Tests"] = [Model],
        ["Palisade.Manifests.Tests"] = [Manifests, Model],
        // The engine's tests read manifests only as fixtures: the conformance cases its answers are held to.
        ["Palisade.Engine.Tests"] = [Engine, Manifests, Model],
        ["Palisade.Linux.Tests"] = [Linux, Model],
        ["Palisade.Dataplane.Nftables.Tests"] = [Nftables, Engine, Manifests, Model, Linux],
        ["Palisade.Agent.Tests"] = [Agent, Nftables, Engine, Manifests, Model, Linux, Lab, Bench, Cli],
        ["Palisade.Lab.Tests"] = [Lab, Cli, Agent, Nftables, Engine, Manifests, Model, Linux],
        ["Palisade.Cli.Tests"] = [Cli, Bench, Lab, Agent, Nftables, Engine, Manifests, Model, Linux],
        ["Palisade.Store.Tests"] = [Store],
        ["Palisade.Server.Tests"] = [Server, Store, Manifests, Model],
        ["Palisade.Audit.Tests"] = [Audit],
        ["Palisade.Architecture.Tests"] = [],
        ["Palisade.Benchmarks"] = [Bench, Engine, Manifests, Model],
    };

    /// <summary>Packages a project may not use, whatever else it references: the engine and the model parse no YAML.</summary>
    public static IReadOnlyDictionary<string, string[]> ForbiddenPackages { get; } = new Dictionary<string, string[]>
    {
        [Model] = ["YamlDotNet", "System.CommandLine", "Spectre.Console"],
        [Engine] = ["YamlDotNet", "System.CommandLine", "Spectre.Console"],
        [Nftables] = ["YamlDotNet", "System.CommandLine", "Spectre.Console"],
        [Linux] = ["YamlDotNet", "System.CommandLine", "Spectre.Console"],
    };

    /// <summary>A project file as far as layering is concerned: its name and what it references.</summary>
    public sealed record ProjectFile(string Name, string Path, IReadOnlyList<string> Projects, IReadOnlyList<string> Packages)
    {
        public static ProjectFile Read(string path)
        {
            var doc = XDocument.Load(path);
            var projects = doc.Descendants("ProjectReference")
                .Select(e => System.IO.Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToList();
            var packages = doc.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
            return new ProjectFile(System.IO.Path.GetFileNameWithoutExtension(path), path, projects, packages);
        }
    }

    /// <summary>Every way the projects break the table, one line each; empty when they keep it.</summary>
    public static List<string> Violations(IEnumerable<ProjectFile> projects)
    {
        var violations = new List<string>();
        foreach (var p in projects.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!AllowedProjects.TryGetValue(p.Name, out var allowed))
            {
                violations.Add($"{p.Path}: the project {p.Name} is not in the layering table (tests/Palisade.Architecture.Tests/Layering.cs): add it with the references it may have");
                continue;
            }

            foreach (var reference in p.Projects.Where(r => !allowed.Contains(r)))
            {
                violations.Add($"{p.Path}: {p.Name} may not reference {reference} (allowed: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))})");
            }

            if (ForbiddenPackages.TryGetValue(p.Name, out var forbidden))
            {
                foreach (var package in p.Packages.Where(forbidden.Contains))
                {
                    violations.Add($"{p.Path}: {p.Name} may not use the package {package}");
                }
            }
        }

        return violations;
    }
}
