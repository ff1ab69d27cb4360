using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiSS.Core.Photos;

/// <summary>
/// The smallest binding of libvips 8.14 (Debian 12's <c>libvips42</c>) that <see cref="PhotoProcessor"/> needs,
/// plus <c>g_object_unref</c>/<c>g_free</c> from GLib. See README.md beside this file for the scope and rules.
/// </summary>
/// <remarks>
/// <para><b>Variadic functions.</b> Most libvips operations are C varargs functions taking a NULL-terminated list of
/// (name, value) pairs: <c>vips_jpegsave_buffer(in, &amp;buf, &amp;len, "Q", 85, "strip", TRUE, NULL)</c>. .NET cannot
/// call a C varargs function directly on Linux, so each call shape we use is declared as a <em>fixed-arity</em>
/// overload of the same entry point, its last parameter an explicit pointer-sized NULL terminator. This is sound on
/// the System V x86-64 and Linux AArch64 ABIs, where variadic arguments travel exactly like fixed ones, provided that:
/// (1) every value is an <c>int</c>/<c>gboolean</c>/enum or a pointer (string, handle) — never a <c>double</c>,
/// because on x86-64 the callee reads <c>%al</c> to know whether vector registers carry variadic arguments and
/// .NET does not set it; (2) the terminator is an <see cref="IntPtr"/>, not an <c>int</c>, so that all 64 bits of
/// the slot read by <c>va_arg(ap, char *)</c> are zero; (3) each name matches the value type the operation expects.
/// It is not valid on Apple arm64, where variadic arguments go on the stack (not a MiSS target).</para>
/// <para><b>Buffers are lent, not copied.</b> <c>vips_image_new_from_buffer</c> and <c>vips_thumbnail_buffer</c>
/// keep a pointer to the caller's bytes for the life of the lazy image: callers pin the array until every image
/// derived from it is disposed. The operation cache is switched off (<c>vips_cache_set_max(0)</c>) so that no
/// cached operation outlives that pin, and so that no patient image stays in memory after a call.</para>
/// <para><b>Errors.</b> libvips keeps one process-wide error buffer. A failed call is turned into a
/// <see cref="PhotoException"/> whose French message is chosen by the caller and whose <see cref="PhotoException.Detail"/>
/// is the libvips text, read then cleared. Under concurrent failures that text is best-effort (another thread may
/// clear or add to it); the French message and <see cref="PhotoError"/> never depend on it.</para>
/// </remarks>
internal static class Vips
{
    const string VipsLib = "libvips.so.42";
    const string GObjectLib = "libgobject-2.0.so.0";
    const string GLibLib = "libglib-2.0.so.0";

    // Enum values from the libvips 8.14 headers.
    const int AccessSequential = 1;   // VIPS_ACCESS_SEQUENTIAL
    const int SizeDown = 2;           // VIPS_SIZE_DOWN: shrink only, never enlarge
    const int FailOnError = 2;        // VIPS_FAIL_ON_ERROR: serious errors and truncation fail the load
    const string LoaderOptions = "fail_on=error";
    const int PngFilterAll = 0xF8;    // VIPS_FOREIGN_PNG_FILTER_ALL: adaptive filtering, smaller screenshots
    const int True = 1;
    const int False = 0;

    /// <summary>Name of the libvips metadata field holding the EXIF orientation (1–8).</summary>
    internal const string OrientationField = "orientation";

    /// <summary>Name of the libvips metadata field holding an embedded ICC profile.</summary>
    internal const string IccProfileField = "icc-profile-data";

    /// <summary>The only loader classes left unblocked (each with its file/buffer/source subclasses).</summary>
    internal static readonly IReadOnlyDictionary<PhotoFormat, string> LoaderClasses = new Dictionary<PhotoFormat, string>
    {
        [PhotoFormat.Jpeg] = "VipsForeignLoadJpeg",
        [PhotoFormat.Png] = "VipsForeignLoadPng",
        [PhotoFormat.Gif] = "VipsForeignLoadNsgif",
        [PhotoFormat.WebP] = "VipsForeignLoadWebp",
        [PhotoFormat.Tiff] = "VipsForeignLoadTiff",
        [PhotoFormat.Heif] = "VipsForeignLoadHeif",
    };

    static readonly Lazy<bool> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Starts libvips once per process (thread-safe); throws <see cref="PhotoException"/> if it cannot.</summary>
    internal static void EnsureStarted() => _ = Started.Value;

    static bool Start()
    {
        try
        {
            // vips_init would dlopen every optional module in <libdir>/vips-modules-8.14 (Debian: ImageMagick, Poppler,
            // OpenSlide, JPEG XL, HEIF) with RTLD_GLOBAL. OpenSlide drags in the system libsqlite3, whose global symbols
            // then override those of the SQLite that Microsoft.Data.Sqlite bundles: the message store crashes. libvips
            // looks for modules under $VIPSHOME/lib when VIPSHOME is set, and nothing can exist under /dev/null. Only
            // the HEIF module is then loaded, privately (RTLD_LOCAL), below. libvips itself sets VIPSHOME during
            // vips_init when it is unset, so this setenv adds no new race.
            g_setenv("VIPSHOME", "/dev/null", True);
            if (vips_init("miss") != 0)
            {
                throw Failure(PhotoError.EngineUnavailable, EngineMessage);
            }
            HeifAvailable = LoadHeifModule();
            // No operation cache: cached operations would keep patient pixels alive and could outlive a pinned buffer.
            vips_cache_set_max(0);
            // Refuse every loader libvips marks as unsafe for untrusted input, then every loader not in our list
            // (SVG, PDF, Matlab, FITS, CSV, vips native, ...): the magic-byte sniffing is not the only gate.
            vips_block_untrusted_set(True);
            vips_operation_block_set("VipsForeignLoad", True);
            foreach (var loader in LoaderClasses.Values)
            {
                vips_operation_block_set(loader, False);
            }
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new PhotoException(PhotoError.EngineUnavailable, EngineMessage, e.Message, e);
        }
    }

    /// <summary>Whether libvips' HEIF module (HEIC, AVIF) could be loaded; false on systems without it.</summary>
    internal static bool HeifAvailable { get; private set; }

    /// <summary>
    /// Loads <c>vips-heif.so</c> from the modules folder beside the libvips actually mapped in this process, with
    /// local symbol binding, then runs its GModule entry point, which registers the heifload/heifsave classes.
    /// </summary>
    static bool LoadHeifModule()
    {
        var libdir = File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var at and >= 0 ? line[at..] : "")
            .Where(path => Path.GetFileName(path).StartsWith(VipsLib, StringComparison.Ordinal))
            .Select(Path.GetDirectoryName)
            .FirstOrDefault();
        if (libdir is null)
        {
            return false;
        }
        var path = Path.Combine(libdir, $"vips-modules-{vips_version(0)}.{vips_version(1)}", "vips-heif.so");
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out var module)
            || !NativeLibrary.TryGetExport(module, "g_module_check_init", out var entry))
        {
            return false;
        }
        // const gchar *g_module_check_init(GModule *module): NULL on success; vips modules ignore the argument.
        return Marshal.GetDelegateForFunctionPointer<ModuleCheckInit>(entry)(IntPtr.Zero) == IntPtr.Zero;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr ModuleCheckInit(IntPtr module);

    const string EngineMessage = "le traitement des photos n'est pas disponible sur ce poste (bibliothèque libvips absente ou trop ancienne)";

    /// <summary>What to throw when a libvips call fails at a given stage.</summary>
    internal readonly record struct OnFailure(PhotoError Error, string Message);

    /// <summary>Builds the exception for a failed libvips call, taking (and clearing) the libvips error text.</summary>
    internal static PhotoException Failure(PhotoError error, string message) => new(error, message, TakeErrorText());

    internal static PhotoException Failure(OnFailure onFailure) => Failure(onFailure.Error, onFailure.Message);

    /// <summary>Reads then clears the process-wide libvips error buffer (bounded, never image bytes).</summary>
    internal static string TakeErrorText()
    {
        var text = Marshal.PtrToStringUTF8(vips_error_buffer())?.Trim() ?? "";
        vips_error_clear();
        return text.Length > 600 ? text[..600] + "…" : text;
    }

    /// <summary>Class name of the loader libvips would pick for these bytes, or null if none.</summary>
    internal static string? FindLoader(IntPtr buffer, nuint length)
    {
        var name = vips_foreign_find_load_buffer(buffer, length);
        if (name == IntPtr.Zero)
        {
            vips_error_clear();
            return null;
        }
        return Marshal.PtrToStringUTF8(name);
    }

    /// <summary>Opens an encoded image lazily: only the header is parsed, pixels are decoded on demand.</summary>
    internal static VipsImage OpenHeader(IntPtr buffer, nuint length, OnFailure onFailure) =>
        Checked(vips_image_new_from_buffer(buffer, length, "", "access", AccessSequential, IntPtr.Zero), onFailure);

    /// <summary>Width in pixels.</summary>
    internal static int Width(VipsImage image) => vips_image_get_width(image);

    /// <summary>Height in pixels.</summary>
    internal static int Height(VipsImage image) => vips_image_get_height(image);

    /// <summary>Number of bands (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK).</summary>
    internal static int Bands(VipsImage image) => vips_image_get_bands(image);

    /// <summary>Whether the image has an alpha band.</summary>
    internal static bool HasAlpha(VipsImage image) => vips_image_hasalpha(image) != 0;

    /// <summary>Whether a metadata field is present.</summary>
    internal static bool HasField(VipsImage image, string name) => vips_image_get_typeof(image, name) != 0;

    /// <summary>An integer metadata field, or null when absent or not an integer.</summary>
    internal static int? GetInt(VipsImage image, string name)
    {
        if (!HasField(image, name))
        {
            return null;
        }
        if (vips_image_get_int(image, name, out var value) != 0)
        {
            vips_error_clear();
            return null;
        }
        return value;
    }

    /// <summary>
    /// Decodes with shrink-on-load into a lazy image fitting a <paramref name="box"/>×<paramref name="box"/> square,
    /// never enlarged, turned upright from the EXIF orientation, in 8-bit sRGB (or B_W). If
    /// <paramref name="exportProfile"/> is given ("srgb"), pixels of an ICC-tagged input are transformed to it.
    /// Truncated or damaged data make the later pixel read fail (VIPS_FAIL_ON_ERROR) instead of grey filling.
    /// </summary>
    internal static VipsImage ThumbnailBuffer(IntPtr buffer, nuint length, int box, string? exportProfile, OnFailure onFailure)
    {
        // libvips 8.14's thumbnail_buffer does not forward its own "fail_on" to the loader (later versions do):
        // the loader option string carries it as well.
        var result = exportProfile is null
            ? vips_thumbnail_buffer(buffer, length, out var image, box, "height", box, "size", SizeDown, "fail_on", FailOnError,
                "option_string", LoaderOptions, IntPtr.Zero)
            : vips_thumbnail_buffer(buffer, length, out image, box, "height", box, "size", SizeDown, "fail_on", FailOnError,
                "option_string", LoaderOptions, "export_profile", exportProfile, IntPtr.Zero);
        return Checked(result, image, onFailure);
    }

    /// <summary>Shrinks an already upright image to fit a <paramref name="box"/> square (never enlarges, never rotates).</summary>
    internal static VipsImage ThumbnailImage(VipsImage input, int box, OnFailure onFailure) =>
        Checked(vips_thumbnail_image(input, out var image, box, "height", box, "size", SizeDown, "no_rotate", True, IntPtr.Zero),
            image, onFailure);

    /// <summary>Evaluates a lazy pipeline into a new memory image (this is where decoding happens).</summary>
    internal static VipsImage CopyMemory(VipsImage input, OnFailure onFailure) => Checked(vips_image_copy_memory(input), onFailure);

    /// <summary>Removes the alpha band by compositing over a uniform background (e.g. 255 = white).</summary>
    internal static VipsImage Flatten(VipsImage input, double background, OnFailure onFailure)
    {
        var array = vips_array_double_new([background], 1);
        try
        {
            return Checked(vips_flatten(input, out var image, "background", array, IntPtr.Zero), image, onFailure);
        }
        finally
        {
            vips_area_unref(array);
        }
    }

    /// <summary>
    /// Baseline JPEG, all metadata stripped (EXIF, XMP, IPTC, ICC, comments; no JFIF APP0), optimised Huffman tables.
    /// </summary>
    internal static byte[] JpegSave(VipsImage input, int quality, OnFailure onFailure) =>
        TakeBuffer(vips_jpegsave_buffer(input, out var buffer, out var length,
            "Q", quality, "strip", True, "optimize_coding", True, "interlace", False, IntPtr.Zero), buffer, length, onFailure);

    /// <summary>Non-interlaced PNG, all metadata stripped, adaptive filtering at the given zlib level (0–9).</summary>
    internal static byte[] PngSave(VipsImage input, int compression, OnFailure onFailure) =>
        TakeBuffer(vips_pngsave_buffer(input, out var buffer, out var length,
            "compression", compression, "strip", True, "filter", PngFilterAll, "interlace", False, IntPtr.Zero), buffer, length, onFailure);

    /// <summary>Highest number of bytes libvips has tracked as allocated at once since the process started.</summary>
    internal static long MemoryHighWater => (long)vips_tracked_get_mem_highwater();

    /// <summary>Bytes libvips currently tracks as allocated (pixel buffers, not GObject overhead).</summary>
    internal static long MemoryInUse => (long)vips_tracked_get_mem();

    static VipsImage Checked(VipsImage image, OnFailure onFailure)
    {
        if (image.IsInvalid)
        {
            image.Dispose();
            throw Failure(onFailure);
        }
        return image;
    }

    static VipsImage Checked(int result, VipsImage image, OnFailure onFailure)
    {
        if (result != 0 || image.IsInvalid)
        {
            image.Dispose();
            throw Failure(onFailure);
        }
        return image;
    }

    static byte[] TakeBuffer(int result, IntPtr buffer, nuint length, OnFailure onFailure)
    {
        try
        {
            if (result != 0 || buffer == IntPtr.Zero)
            {
                throw Failure(onFailure);
            }
            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
            Marshal.Copy(buffer, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            if (buffer != IntPtr.Zero)
            {
                g_free(buffer);
            }
        }
    }

    // ---- Native entry points ----
    // Strings are UTF-8 (U8). Each varargs call shape is one fixed-arity overload of the same entry point: (name,
    // value) pairs of int or pointer type only, then an IntPtr.Zero terminator (see the class remarks).

    const UnmanagedType U8 = UnmanagedType.LPUTF8Str;

    [DllImport(VipsLib)]
    static extern int vips_init([MarshalAs(U8)] string argv0);

    [DllImport(VipsLib)]
    static extern int vips_version(int flag);

    [DllImport(VipsLib)]
    static extern void vips_cache_set_max(int max);

    [DllImport(VipsLib)]
    static extern void vips_block_untrusted_set(int state);

    [DllImport(VipsLib)]
    static extern void vips_operation_block_set([MarshalAs(U8)] string name, int state);

    [DllImport(VipsLib)]
    static extern IntPtr vips_error_buffer();

    [DllImport(VipsLib)]
    static extern void vips_error_clear();

    [DllImport(VipsLib)]
    static extern nuint vips_tracked_get_mem_highwater();

    [DllImport(VipsLib)]
    static extern nuint vips_tracked_get_mem();

    [DllImport(VipsLib)]
    static extern IntPtr vips_foreign_find_load_buffer(IntPtr data, nuint size);

    // VipsImage *vips_image_new_from_buffer(const void *buf, size_t len, const char *option_string, ...)
    [DllImport(VipsLib)]
    static extern VipsImage vips_image_new_from_buffer(IntPtr buffer, nuint length, [MarshalAs(U8)] string optionString,
        [MarshalAs(U8)] string name1, int value1,
        IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_image_get_width(VipsImage image);

    [DllImport(VipsLib)]
    static extern int vips_image_get_height(VipsImage image);

    [DllImport(VipsLib)]
    static extern int vips_image_get_bands(VipsImage image);

    [DllImport(VipsLib)]
    static extern int vips_image_hasalpha(VipsImage image);

    // GType vips_image_get_typeof(const VipsImage *image, const char *name): a GType is a gsize, 0 when absent.
    [DllImport(VipsLib)]
    static extern nuint vips_image_get_typeof(VipsImage image, [MarshalAs(U8)] string name);

    [DllImport(VipsLib)]
    static extern int vips_image_get_int(VipsImage image, [MarshalAs(U8)] string name, out int value);

    // int vips_thumbnail_buffer(void *buf, size_t len, VipsImage **out, int width, ...)
    [DllImport(VipsLib)]
    static extern int vips_thumbnail_buffer(IntPtr buffer, nuint length, out VipsImage image, int width,
        [MarshalAs(U8)] string name1, int value1,
        [MarshalAs(U8)] string name2, int value2,
        [MarshalAs(U8)] string name3, int value3,
        [MarshalAs(U8)] string name4, [MarshalAs(U8)] string value4,
        IntPtr terminator);

    [DllImport(VipsLib)]
    static extern int vips_thumbnail_buffer(IntPtr buffer, nuint length, out VipsImage image, int width,
        [MarshalAs(U8)] string name1, int value1,
        [MarshalAs(U8)] string name2, int value2,
        [MarshalAs(U8)] string name3, int value3,
        [MarshalAs(U8)] string name4, [MarshalAs(U8)] string value4,
        [MarshalAs(U8)] string name5, [MarshalAs(U8)] string value5,
        IntPtr terminator);

    // int vips_thumbnail_image(VipsImage *in, VipsImage **out, int width, ...)
    [DllImport(VipsLib)]
    static extern int vips_thumbnail_image(VipsImage input, out VipsImage image, int width,
        [MarshalAs(U8)] string name1, int value1,
        [MarshalAs(U8)] string name2, int value2,
        [MarshalAs(U8)] string name3, int value3,
        IntPtr terminator);

    [DllImport(VipsLib)]
    static extern VipsImage vips_image_copy_memory(VipsImage image);

    // VipsArrayDouble *vips_array_double_new(const double *array, int n): copies the values.
    [DllImport(VipsLib)]
    static extern IntPtr vips_array_double_new([In] double[] array, int n);

    [DllImport(VipsLib)]
    static extern void vips_area_unref(IntPtr area);

    // int vips_flatten(VipsImage *in, VipsImage **out, ...): "background" is a VipsArrayDouble pointer.
    [DllImport(VipsLib)]
    static extern int vips_flatten(VipsImage input, out VipsImage image,
        [MarshalAs(U8)] string name1, IntPtr value1,
        IntPtr terminator);

    // int vips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, ...): *buf is g_malloc'ed.
    [DllImport(VipsLib)]
    static extern int vips_jpegsave_buffer(VipsImage input, out IntPtr buffer, out nuint length,
        [MarshalAs(U8)] string name1, int value1,
        [MarshalAs(U8)] string name2, int value2,
        [MarshalAs(U8)] string name3, int value3,
        [MarshalAs(U8)] string name4, int value4,
        IntPtr terminator);

    // int vips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, ...): *buf is g_malloc'ed.
    [DllImport(VipsLib)]
    static extern int vips_pngsave_buffer(VipsImage input, out IntPtr buffer, out nuint length,
        [MarshalAs(U8)] string name1, int value1,
        [MarshalAs(U8)] string name2, int value2,
        [MarshalAs(U8)] string name3, int value3,
        [MarshalAs(U8)] string name4, int value4,
        IntPtr terminator);

    /// <summary>Drops one reference to a GObject (a VipsImage).</summary>
    [DllImport(GObjectLib)]
    internal static extern void g_object_unref(IntPtr gobject);

    [DllImport(GLibLib)]
    static extern int g_setenv([MarshalAs(U8)] string variable, [MarshalAs(U8)] string value, int overwrite);

    /// <summary>Frees memory allocated by GLib (the buffers returned by the savers).</summary>
    [DllImport(GLibLib)]
    internal static extern void g_free(IntPtr memory);
}

/// <summary>A reference to a libvips <c>VipsImage</c> GObject, released with <c>g_object_unref</c>.</summary>
internal sealed class VipsImage : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Used by the interop marshaller for returned and out handles.</summary>
    public VipsImage() : base(ownsHandle: true)
    {
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Vips.g_object_unref(handle);
        return true;
    }
}
