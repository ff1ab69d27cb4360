using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Base64 for MIME bodies (RFC 2045 §6.8): 76-character lines joined by CRLF; tolerant decoding.</summary>
public static class Base64Codec
{
    private const int LineBytes = 57; // 57 bytes → 76 characters
    private static readonly sbyte[] Values = BuildTable();

    /// <summary>Encodes as ASCII bytes; lines of 76 characters separated by CRLF, no CRLF after the last line.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return [];
        var lines = (data.Length + LineBytes - 1) / LineBytes;
        var output = new byte[((data.Length + 2) / 3 * 4) + ((lines - 1) * 2)];
        var o = 0;
        for (var i = 0; i < data.Length; i += LineBytes)
        {
            if (i > 0)
            {
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
            }
            var chunk = data.Slice(i, Math.Min(LineBytes, data.Length - i));
            Base64.EncodeToUtf8(chunk, output.AsSpan(o), out _, out var written);
            o += written;
        }
        return output;
    }

    /// <summary>
    /// Writes what <see cref="Encode(ReadOnlySpan{byte})"/> returns to <paramref name="output"/>, a few hundred lines at a
    /// time through a pooled buffer, so that a large body is never held encoded in memory.
    /// </summary>
    internal static void EncodeTo(ReadOnlySpan<byte> data, Stream output)
    {
        const int LinesPerWrite = 512;
        if (data.IsEmpty)
            return;
        var buffer = ArrayPool<byte>.Shared.Rent(LinesPerWrite * 78);
        try
        {
            var o = 0;
            for (var i = 0; i < data.Length; i += LineBytes)
            {
                if (o > buffer.Length - 78)
                {
                    output.Write(buffer, 0, o);
                    o = 0;
                }
                if (i > 0)
                {
                    buffer[o++] = (byte)'\r';
                    buffer[o++] = (byte)'\n';
                }
                var chunk = data.Slice(i, Math.Min(LineBytes, data.Length - i));
                Base64.EncodeToUtf8(chunk, buffer.AsSpan(o), out _, out var written);
                o += written;
            }
            output.Write(buffer, 0, o);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Encodes to a string (see <see cref="Encode(ReadOnlySpan{byte})"/>).</summary>
    public static string EncodeToString(ReadOnlySpan<byte> data) => Encoding.ASCII.GetString(Encode(data));

    /// <summary>Decodes, skipping whitespace and characters outside the alphabet; padding is optional and may appear mid-stream.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded)
    {
        var decoded = DecodeToMemory(encoded);
        return MemoryMarshal.TryGetArray(decoded, out var segment) && segment.Count == segment.Array!.Length ? segment.Array : decoded.ToArray();
    }

    /// <summary>Decodes into a buffer that may be slightly larger than the result: no second copy for big bodies.</summary>
    internal static ReadOnlyMemory<byte> DecodeToMemory(ReadOnlySpan<byte> encoded)
    {
        var output = new byte[(encoded.Length + 3) / 4 * 3];
        int o = 0, bits = 0, count = 0;
        foreach (var b in encoded)
        {
            var v = Values[b];
            if (v >= 0)
            {
                bits = (bits << 6) | (byte)v;
                if (++count == 4)
                {
                    output[o++] = (byte)(bits >> 16);
                    output[o++] = (byte)(bits >> 8);
                    output[o++] = (byte)bits;
                    bits = count = 0;
                }
            }
            else if (b == (byte)'=')
            {
                // Padding ends a quantum; flushing here also handles concatenated padded chunks.
                o = Flush(output, o, bits, count);
                bits = count = 0;
            }
        }
        o = Flush(output, o, bits, count);
        return output.AsMemory(0, o);
    }

    /// <summary>Decodes a string (see <see cref="Decode(ReadOnlySpan{byte})"/>).</summary>
    public static byte[] Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.Latin1.GetMaxByteCount(encoded.Length));
        try
        {
            var n = Encoding.Latin1.GetBytes(encoded, buffer);
            return Decode(buffer.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Flush(byte[] output, int o, int bits, int count)
    {
        // A lone sixth-bit group carries no whole byte and is dropped.
        if (count == 2)
        {
            output[o++] = (byte)(bits >> 4);
        }
        else if (count == 3)
        {
            output[o++] = (byte)(bits >> 10);
            output[o++] = (byte)(bits >> 2);
        }
        return o;
    }

    private static sbyte[] BuildTable()
    {
        var table = new sbyte[256];
        Array.Fill(table, (sbyte)-1);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (var i = 0; i < alphabet.Length; i++)
            table[alphabet[i]] = (sbyte)i;
        return table;
    }
}
