using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MiSS.Core.Transport;

/// <summary>
/// Which exceptions mean "the mail server could not be used" (connection, TLS, authentication, protocol), and how each
/// is said to the user. Anything else is a defect and is not caught as a transport failure.
/// </summary>
public static class TransportFailure
{
    /// <summary>Whether <paramref name="e"/> is a failure of the connection to the mail server.</summary>
    public static bool Is(Exception e) => e is ProtocolException or CommandException or ServiceNotConnectedException
        or SslHandshakeException or AuthenticationException or InsecureTransportException or IOException or SocketException;

    /// <summary>The French status message of a transport failure (never message content nor credentials).</summary>
    public static string Describe(Exception e) => e switch
    {
        // TlsPolicy.Explain and InsecureTransportException already speak French.
        SslHandshakeException or InsecureTransportException => e.Message,
        AuthenticationException => "authentification refusée par le serveur (identifiant, mot de passe ou jeton)",
        ImapCommandException c => $"commande IMAP refusée par le serveur ({c.Response}) : {c.ResponseText}",
        SmtpCommandException c => $"commande SMTP refusée par le serveur : {(int)c.StatusCode}",
        ServiceNotConnectedException => "connexion au serveur de messagerie perdue",
        ProtocolException => "connexion au serveur de messagerie interrompue (réponse absente ou invalide)",
        SocketException s => $"serveur de messagerie injoignable ({s.SocketErrorCode})",
        IOException => "connexion au serveur de messagerie interrompue",
        _ => $"échec de la connexion au serveur de messagerie ({e.GetType().Name})",
    };
}
