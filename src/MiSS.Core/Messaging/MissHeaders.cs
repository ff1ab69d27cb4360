namespace MiSS.Core.Messaging;

/// <summary>Header names and fixed values of the MiSS wire format (docs/protocol.md).</summary>
public static class MissHeaders
{
    /// <summary>Protocol version, inside the signed and encrypted part.</summary>
    public const string Version = "X-MiSS-Version";

    /// <summary>The version this implementation writes.</summary>
    public const string CurrentVersion = "1";

    /// <summary>MSSanté's product reference header, on the outer message.</summary>
    public const string MssNil = "X-MSS-NIL";

    /// <summary>The outer Subject: the real one travels inside the encrypted part only.</summary>
    public const string NeutralSubject = "Message sécurisé";
}
