using System.Runtime.InteropServices;
using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>Raw 8-bit pixels, interleaved, row-major.</summary>
public sealed record Pixels(byte[] Data, int Width, int Height, int Bands)
{
    public (byte R, byte G, byte B) At(int x, int y)
    {
        var i = ((y * Width) + x) * Bands;
        return Bands >= 3 ? (Data[i], Data[i + 1], Data[i + 2]) : (Data[i], Data[i], Data[i]);
    }

    /// <summary>Mean R, G, B over a rectangle.</summary>
    public (double R, double G, double B) Mean(int x0, int y0, int w, int h)
    {
        double r = 0, g = 0, b = 0;
        for (var y = y0; y < y0 + h; y++)
        {
            for (var x = x0; x < x0 + w; x++)
            {
                var p = At(x, y);
                r += p.R;
                g += p.G;
                b += p.B;
            }
        }
        var n = (double)w * h;
        return (r / n, g / n, b / n);
    }
}

/// <summary>
/// libvips calls the tests and the benchmark need beyond MiSS.Core's binding: build an image from raw pixels, save it
/// WITHOUT stripping in several formats, decode any output back to pixels, read header fields. Same varargs rule as
/// MiSS.Core.Photos.Vips: fixed-arity overloads with int/pointer values and an IntPtr.Zero terminator.
/// </summary>
internal static class TestVips
{
    const string VipsLib = "libvips.so.42";
    const UnmanagedType U8 = UnmanagedType.LPUTF8Str;
    const int FormatUchar = 0; // VIPS_FORMAT_UCHAR

    static readonly Vips.OnFailure Failed = new(PhotoError.EncodingFailed, "test helper failed");

    /// <summary>An in-memory libvips image holding a copy of the pixels.</summary>
    public static VipsImage FromPixels(Pixels pixels)
    {
        Vips.EnsureStarted();
        var image = vips_image_new_from_memory_copy(pixels.Data, (nuint)pixels.Data.Length, pixels.Width, pixels.Height, pixels.Bands, FormatUchar);
        if (image.IsInvalid)
        {
            throw Vips.Failure(Failed);
        }
        return image;
    }

    /// <summary>A plain JPEG (libjpeg via libvips), optionally tagged with a built-in ICC profile name ("p3", "srgb").</summary>
    public static byte[] Jpeg(Pixels pixels, int quality = 92, string? iccProfile = null)
    {
        using var image = FromPixels(pixels);
        return Take(iccProfile is null
            ? vips_jpegsave_buffer(image, out var buffer, out var length, "Q", quality, "strip", 0, IntPtr.Zero)
            : vips_jpegsave_buffer(image, out buffer, out length, "Q", quality, "strip", 0, "profile", iccProfile, IntPtr.Zero), buffer, length);
    }

    /// <summary>A PNG at zlib level 6, adaptive filtering.</summary>
    public static byte[] Png(Pixels pixels)
    {
        using var image = FromPixels(pixels);
        return Take(vips_pngsave_buffer(image, out var buffer, out var length, "compression", 6, "filter", 0xF8, IntPtr.Zero), buffer, length);
    }

    /// <summary>Saves with another libvips saver (webpsave_buffer, gifsave_buffer, tiffsave_buffer, heifsave_buffer = HEIC, avifsave_buffer).</summary>
    public static byte[] Save(Pixels pixels, string saver)
    {
        using var image = FromPixels(pixels);
        IntPtr buffer;
        nuint length;
        var result = saver switch
        {
            "webpsave_buffer" => vips_webpsave_buffer(image, out buffer, out length, IntPtr.Zero),
            "gifsave_buffer" => vips_gifsave_buffer(image, out buffer, out length, IntPtr.Zero),
            "tiffsave_buffer" => vips_tiffsave_buffer(image, out buffer, out length, IntPtr.Zero),
            "heifsave_buffer" => vips_heifsave_buffer(image, out buffer, out length, IntPtr.Zero),
            "avifsave_buffer" => vips_heifsave_buffer(image, out buffer, out length, "compression", 4, IntPtr.Zero), // AV1
            _ => throw new ArgumentOutOfRangeException(nameof(saver)),
        };
        return Take(result, buffer, length);
    }

    /// <summary>Decodes any accepted encoded image to 8-bit pixels (through the same unblocked loaders).</summary>
    public static Pixels Decode(byte[] encoded)
    {
        var pin = GCHandle.Alloc(encoded, GCHandleType.Pinned);
        try
        {
            Vips.EnsureStarted();
            using var image = Vips.OpenHeader(pin.AddrOfPinnedObject(), (nuint)encoded.Length, Failed);
            var (w, h, bands) = (Vips.Width(image), Vips.Height(image), Vips.Bands(image));
            var memory = vips_image_write_to_memory(image, out var size);
            if (memory == IntPtr.Zero)
            {
                throw Vips.Failure(Failed);
            }
            try
            {
                var data = new byte[checked((int)size)];
                Marshal.Copy(memory, data, 0, data.Length);
                if (data.Length != w * h * bands)
                {
                    throw new InvalidOperationException("not decoded to 8-bit pixels");
                }
                return new Pixels(data, w, h, bands);
            }
            finally
            {
                Vips.g_free(memory);
            }
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>Reads header facts of an encoded image as libvips sees them.</summary>
    public static T Header<T>(byte[] encoded, Func<VipsImage, T> read)
    {
        var pin = GCHandle.Alloc(encoded, GCHandleType.Pinned);
        try
        {
            Vips.EnsureStarted();
            using var image = Vips.OpenHeader(pin.AddrOfPinnedObject(), (nuint)encoded.Length, Failed);
            return read(image);
        }
        finally
        {
            pin.Free();
        }
    }

    static byte[] Take(int result, IntPtr buffer, nuint length)
    {
        try
        {
            if (result != 0)
            {
                throw Vips.Failure(Failed);
            }
            var bytes = new byte[checked((int)length)];
            Marshal.Copy(buffer, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            if (buffer != IntPtr.Zero)
            {
                Vips.g_free(buffer);
            }
        }
    }

    [DllImport(VipsLib)]
    static extern VipsImage vips_image_new_from_memory_copy(byte[] data, nuint size, int width, int height, int bands, int format);

    [DllImport(VipsLib)]
    static extern IntPtr vips_image_write_to_memory(VipsImage image, out nuint size);

    [DllImport(VipsLib)]
    static extern int vips_jpegsave_buffer(VipsImage image, out IntPtr buffer, out nuint length,
        [MarshalAs(U8)] string n1, int v1, [MarshalAs(U8)] string n2, int v2, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_jpegsave_buffer(VipsImage image, out IntPtr buffer, out nuint length,
        [MarshalAs(U8)] string n1, int v1, [MarshalAs(U8)] string n2, int v2, [MarshalAs(U8)] string n3, [MarshalAs(U8)] string v3, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_pngsave_buffer(VipsImage image, out IntPtr buffer, out nuint length,
        [MarshalAs(U8)] string n1, int v1, [MarshalAs(U8)] string n2, int v2, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_webpsave_buffer(VipsImage image, out IntPtr buffer, out nuint length, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_gifsave_buffer(VipsImage image, out IntPtr buffer, out nuint length, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_tiffsave_buffer(VipsImage image, out IntPtr buffer, out nuint length, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_heifsave_buffer(VipsImage image, out IntPtr buffer, out nuint length, IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_heifsave_buffer(VipsImage image, out IntPtr buffer, out nuint length, [MarshalAs(U8)] string n1, int v1, IntPtr terminator);
}
