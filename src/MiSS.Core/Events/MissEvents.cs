using System.Threading.Channels;

namespace MiSS.Core.Events;

/// <summary>What changed (the local API streams these; a client re-reads the resource named).</summary>
public enum MissEventKind
{
    /// <summary>A message was stored: received, or written here.</summary>
    Message,
    /// <summary>A message's state changed: sent, delivered, read, failed.</summary>
    State,
    /// <summary>A message's content was erased.</summary>
    Expired,
    /// <summary>A conversation's members, retention or end changed.</summary>
    Conversation,
}

/// <summary>One change: which conversation, and which message when it concerns one. Never any content.</summary>
public sealed record MissEvent(MissEventKind Kind, long? ConversationId, string? MessageId = null);

/// <summary>
/// Broadcasts changes to whoever listens (the API's event stream). Each listener has its own bounded queue: a slow
/// listener loses its oldest events, never slows the service down.
/// </summary>
public sealed class MissEvents
{
    const int QueueLength = 1000;
    readonly Lock _gate = new();
    readonly List<Channel<MissEvent>> _listeners = [];

    /// <summary>Tells every listener.</summary>
    public void Publish(MissEvent change)
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>Starts listening; dispose the subscription to stop.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<MissEvent>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _listeners.Add(channel);
        }
        return new Subscription(this, channel);
    }

    /// <summary>One listener's queue of events.</summary>
    public sealed class Subscription(MissEvents events, Channel<MissEvent> channel) : IDisposable
    {
        /// <summary>The events, in order.</summary>
        public ChannelReader<MissEvent> Reader => channel.Reader;

        /// <inheritdoc />
        public void Dispose()
        {
            lock (events._gate)
            {
                events._listeners.Remove(channel);
            }
            channel.Writer.TryComplete();
        }
    }
}
