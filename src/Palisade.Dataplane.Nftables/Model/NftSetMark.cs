namespace Palisade.Dataplane.Nftables.Model;

/// <summary>Sets the packet's mark (<see cref="NftField.Mark"/>) or its connection's (<see cref="NftField.CtMark"/>).</summary>
public sealed record NftSetMark(NftField Target, NftInteger Value) : NftStatement
{
    public override string ToString()
    {
        if (Target is not (NftField.Mark or NftField.CtMark))
        {
            throw new InvalidOperationException($"{Target} is not a mark");
        }

        return $"{NftSyntax.Of(Target)} set {Value}";
    }
}
