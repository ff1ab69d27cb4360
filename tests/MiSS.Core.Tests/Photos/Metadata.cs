using System.Buffers.Binary;
using System.Text;

namespace MiSS.Core.Tests.Photos;

/// <summary>
/// Metadata segments built byte by byte, the way a phone camera writes them, each carrying a "MISS-…-MARKER" string
/// (and a fake patient name) so that the tests can look for any leftover on the output bytes.
/// </summary>
internal static class Metadata
{
    public const string MakeMarker = "MISS-MAKE-MARKER";
    public const string ModelMarker = "MISS-MODEL-MARKER";
    public const string SerialMarker = "MISS-SERIAL-MARKER";
    public const string XmpMarker = "MISS-XMP-MARKER";
    public const string IptcMarker = "MISS-IPTC-MARKER";
    public const string CommentMarker = "MISS-COM-MARKER";
    public const string PngTextMarker = "MISS-PNG-TEXT-MARKER";
    public const string PatientName = "Jeanne Dupont";

    /// <summary>Every string that must not survive processing.</summary>
    public static readonly string[] Leftovers =
    [
        "MARKER", "MISS-", PatientName, "Exif\0\0", "http://ns.adobe.com/xap/1.0/", "Photoshop 3.0", "8BIM", "ICC_PROFILE",
        "xmpmeta", "2024:05:17",
    ];

    /// <summary>
    /// A complete EXIF APP1 segment: "Exif\0\0", then a big-endian TIFF structure with IFD0 (Make, Model, Orientation,
    /// DateTime, ExifIFD and GPS pointers), an Exif IFD (DateTimeOriginal, BodySerialNumber) and a GPS IFD placing
    /// the photo in Paris, 48°51'24"N 2°21'3"E, 35 m.
    /// </summary>
    public static byte[] ExifApp1(int orientation)
    {
        var ifd0 = new Ifd(
        [
            Ascii(0x010F, MakeMarker + " Phone"),
            Ascii(0x0110, ModelMarker + " X12"),
            Short(0x0112, (ushort)orientation),
            Ascii(0x0132, "2024:05:17 10:42:07"),
            Long(0x8769, 0), // ExifIFD pointer, patched by the layout
            Long(0x8825, 0), // GPS IFD pointer, patched by the layout
        ]);
        var exif = new Ifd(
        [
            Ascii(0x9003, "2024:05:17 10:42:07"),
            Ascii(0xA431, SerialMarker + "-0042"),
        ]);
        var gps = new Ifd(
        [
            new Entry(0x0000, 1, 4, [2, 3, 0, 0]),                // GPSVersionID 2.3.0.0
            Ascii(0x0001, "N"),                                     // GPSLatitudeRef
            Rationals(0x0002, (48, 1), (51, 1), (24, 1)),           // GPSLatitude
            Ascii(0x0003, "E"),                                     // GPSLongitudeRef
            Rationals(0x0004, (2, 1), (21, 1), (3, 1)),             // GPSLongitude
            new Entry(0x0005, 1, 1, [0, 0, 0, 0]),                  // GPSAltitudeRef: above sea level
            Rationals(0x0006, (35, 1)),                             // GPSAltitude
        ]);

        // Layout: header (8), then each IFD followed by its out-of-line values, in order IFD0, Exif, GPS.
        var offset = 8u;
        foreach (var ifd in new[] { ifd0, exif, gps })
        {
            ifd.Offset = offset;
            offset += (uint)(2 + (12 * ifd.Entries.Length) + 4);
            foreach (var e in ifd.Entries.Where(e => e.Value.Length > 4))
            {
                e.DataOffset = offset;
                offset += (uint)(e.Value.Length + (e.Value.Length & 1));
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(ifd0.Entries.Single(e => e.Tag == 0x8769).Value, exif.Offset);
        BinaryPrimitives.WriteUInt32BigEndian(ifd0.Entries.Single(e => e.Tag == 0x8825).Value, gps.Offset);

        var tiff = new byte[offset];
        "MM"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), ifd0.Offset);
        foreach (var ifd in new[] { ifd0, exif, gps })
        {
            var at = (int)ifd.Offset;
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)ifd.Entries.Length);
            at += 2;
            foreach (var e in ifd.Entries)
            {
                BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), e.Tag);
                BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at + 2), e.Type);
                BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 4), e.Count);
                if (e.Value.Length <= 4)
                {
                    e.Value.CopyTo(tiff.AsSpan(at + 8)); // left-justified in the 4-byte field
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 8), e.DataOffset);
                    e.Value.CopyTo(tiff.AsSpan((int)e.DataOffset));
                }
                at += 12;
            }
            BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at), 0); // no next IFD
        }
        return JpegSegment(0xE1, [.. "Exif\0\0"u8, .. tiff]);
    }

    /// <summary>An XMP APP1 segment whose packet holds a description with the marker and GPS coordinates.</summary>
    public static byte[] XmpApp1()
    {
        var packet =
            "<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>" +
            "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" +
            "<rdf:Description rdf:about='' xmlns:exif='http://ns.adobe.com/exif/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'" +
            " exif:GPSLatitude='48,51.4N' exif:GPSLongitude='2,21.05E'>" +
            $"<dc:description>{XmpMarker} {PatientName}</dc:description>" +
            "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>";
        return JpegSegment(0xE1, [.. Encoding.ASCII.GetBytes("http://ns.adobe.com/xap/1.0/\0"), .. Encoding.UTF8.GetBytes(packet)]);
    }

    /// <summary>An APP13 "Photoshop 3.0" segment with one 8BIM IPTC-NAA resource (caption, city).</summary>
    public static byte[] IptcApp13()
    {
        var iptc = new List<byte>();
        void DataSet(byte number, byte[] value)
        {
            iptc.AddRange([0x1C, 2, number, (byte)(value.Length >> 8), (byte)value.Length]);
            iptc.AddRange(value);
        }
        DataSet(0, [0, 4]);                                               // record version
        DataSet(120, Encoding.UTF8.GetBytes($"{IptcMarker} {PatientName}")); // caption/abstract
        DataSet(90, "Paris"u8.ToArray());                                 // city
        if ((iptc.Count & 1) == 1)
        {
            iptc.Add(0);
        }
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, iptc.Count);
        return JpegSegment(0xED, [.. "Photoshop 3.0\0"u8, .. "8BIM"u8, 0x04, 0x04, 0, 0, .. size, .. iptc]);
    }

    /// <summary>A COM (comment) segment.</summary>
    public static byte[] Comment() => JpegSegment(0xFE, Encoding.UTF8.GetBytes($"{CommentMarker} {PatientName}, chambre 12"));

    /// <summary>All four: EXIF with the given orientation, XMP, IPTC and a comment.</summary>
    public static byte[][] CameraSegments(int orientation) => [ExifApp1(orientation), XmpApp1(), IptcApp13(), Comment()];

    /// <summary>A JPEG marker segment: FF, marker, big-endian length (payload + 2), payload.</summary>
    public static byte[] JpegSegment(byte marker, byte[] payload)
    {
        if (payload.Length > 65533)
        {
            throw new ArgumentOutOfRangeException(nameof(payload));
        }
        var length = payload.Length + 2;
        return [0xFF, marker, (byte)(length >> 8), (byte)length, .. payload];
    }

    /// <summary>Inserts segments right after SOI, dropping the encoder's own APP0 (as camera files have no JFIF).</summary>
    public static byte[] Splice(byte[] jpeg, params byte[][] segments)
    {
        var parsed = JpegStructure.Parse(jpeg);
        var skip = parsed.Segments.Where(s => s.Marker == 0xE0).Sum(s => s.Length);
        var rest = jpeg.AsSpan(2 + skip);
        return [0xFF, 0xD8, .. segments.SelectMany(s => s), .. rest];
    }

    /// <summary>Inserts PNG chunks (tEXt with the marker, eXIf with the same EXIF as a camera, iTXt XMP) after IHDR.</summary>
    public static byte[] SpliceIntoPng(byte[] png)
    {
        var chunks = PngStructure.Parse(png).Chunks;
        var ihdr = chunks[0];
        var exif = ExifApp1(1).AsSpan(10).ToArray(); // drop FF E1 len "Exif\0\0": eXIf holds the bare TIFF structure
        var xmpPacket = $"<x:xmpmeta xmlns:x='adobe:ns:meta/'>{XmpMarker} {PatientName}</x:xmpmeta>";
        byte[][] extra =
        [
            PngStructure.Chunk("tEXt", [.. "Comment\0"u8, .. Encoding.Latin1.GetBytes($"{PngTextMarker} {PatientName}")]),
            PngStructure.Chunk("eXIf", exif),
            PngStructure.Chunk("iTXt", [.. "XML:com.adobe.xmp\0\0\0\0\0"u8, .. Encoding.UTF8.GetBytes(xmpPacket)]),
        ];
        var afterIhdr = 8 + 12 + ihdr.Data.Length;
        return [.. png.AsSpan(0, afterIhdr), .. extra.SelectMany(c => c), .. png.AsSpan(afterIhdr)];
    }

    static Entry Ascii(ushort tag, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value + "\0");
        return new Entry(tag, 2, (uint)bytes.Length, bytes);
    }

    static Entry Short(ushort tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new Entry(tag, 3, 1, bytes);
    }

    static Entry Long(ushort tag, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new Entry(tag, 4, 1, bytes);
    }

    static Entry Rationals(ushort tag, params (uint Numerator, uint Denominator)[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8 * i), values[i].Numerator);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan((8 * i) + 4), values[i].Denominator);
        }
        return new Entry(tag, 5, (uint)values.Length, bytes);
    }

    /// <summary>One TIFF directory entry; Value is big-endian and padded to 4 bytes when inline.</summary>
    sealed class Entry(ushort tag, ushort type, uint count, byte[] value)
    {
        public ushort Tag { get; } = tag;
        public ushort Type { get; } = type;
        public uint Count { get; } = count;
        public byte[] Value { get; } = value;
        public uint DataOffset { get; set; }
    }

    sealed class Ifd(Entry[] entries)
    {
        public Entry[] Entries { get; } = [.. entries.OrderBy(e => e.Tag)];
        public uint Offset { get; set; }
    }
}

/// <summary>A strict walk of a JPEG's marker segments, checked on the bytes rather than through a decoder.</summary>
internal sealed record JpegStructure(IReadOnlyList<JpegStructure.Segment> Segments, int ScanCount, int TrailingBytes)
{
    /// <summary>A marker segment before or between scans. Length counts the marker, length field and payload.</summary>
    public sealed record Segment(byte Marker, byte[] Payload)
    {
        public int Length => 4 + Payload.Length;
        public string Name => Marker switch
        {
            0xE0 => "APP0", >= 0xE1 and <= 0xEF => $"APP{Marker - 0xE0}", 0xFE => "COM", 0xDB => "DQT", 0xC4 => "DHT",
            0xDD => "DRI", 0xDA => "SOS", >= 0xC0 and <= 0xCF => $"SOF{Marker - 0xC0}", _ => $"0x{Marker:X2}",
        };
    }

    /// <summary>Parses SOI, segments, each scan's entropy data (skipping stuffed FF00 and RSTn), up to EOI.</summary>
    public static JpegStructure Parse(byte[] jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new FormatException("no SOI");
        }
        var segments = new List<Segment>();
        var scans = 0;
        var i = 2;
        while (true)
        {
            if (i + 1 >= jpeg.Length || jpeg[i] != 0xFF)
            {
                throw new FormatException($"marker expected at {i}");
            }
            while (jpeg[i + 1] == 0xFF)
            {
                i++; // fill bytes
            }
            var marker = jpeg[i + 1];
            i += 2;
            if (marker == 0xD9)
            {
                return new JpegStructure(segments, scans, jpeg.Length - i);
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // standalone
            }
            var length = (jpeg[i] << 8) | jpeg[i + 1];
            if (length < 2 || i + length > jpeg.Length)
            {
                throw new FormatException($"bad segment length at {i}");
            }
            segments.Add(new Segment(marker, jpeg[(i + 2)..(i + length)]));
            i += length;
            if (marker == 0xDA)
            {
                scans++;
                // Entropy-coded data: runs until an FF followed by something other than 00 or RSTn.
                while (i + 1 < jpeg.Length && !(jpeg[i] == 0xFF && jpeg[i + 1] != 0x00 && jpeg[i + 1] is not (>= 0xD0 and <= 0xD7)))
                {
                    i++;
                }
            }
        }
    }
}

/// <summary>A strict walk of a PNG's chunks, CRCs verified.</summary>
internal sealed record PngStructure(IReadOnlyList<PngStructure.PngChunk> Chunks, int TrailingBytes)
{
    static readonly uint[] CrcTable = BuildCrcTable();

    public sealed record PngChunk(string Type, byte[] Data);

    public static PngStructure Parse(byte[] png)
    {
        var chunks = new List<PngChunk>();
        var i = 8;
        while (true)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(i));
            var type = Encoding.ASCII.GetString(png, i + 4, 4);
            var data = png[(i + 8)..(i + 8 + length)];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(i + 8 + length));
            if (crc != Crc(png.AsSpan(i + 4, 4 + length)))
            {
                throw new FormatException($"bad CRC on {type}");
            }
            chunks.Add(new PngChunk(type, data));
            i += 12 + length;
            if (type == "IEND")
            {
                return new PngStructure(chunks, png.Length - i);
            }
        }
    }

    /// <summary>Length, type, data, CRC-32 of type and data.</summary>
    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c ^ 0xFFFFFFFFu;
    }

    static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
