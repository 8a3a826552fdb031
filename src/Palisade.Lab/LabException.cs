namespace Palisade.Lab;

/// <summary>A lab operation that cannot go ahead for a reason the user can act on (the message says what to do).</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
