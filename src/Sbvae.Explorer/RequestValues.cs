using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Sbvae.Explorer;

/// <summary>
/// Reads a request's query values, each checked before use: present once, a number, in range.
/// Anything else throws <see cref="RequestError"/> with a short reason.
/// </summary>
public static class RequestValues
{
    /// <summary>Every latent value a decode request may ask for lies within ±this (the prior's mass is within ±4).</summary>
    public const float MaxAbsZ = 10f;

    /// <summary>At most this many rows' factors per request (a grid page asks for far fewer).</summary>
    public const int MaxRows = 1000;

    public static string One(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0) throw new RequestError($"missing '{name}'");
        if (values.Count > 1) throw new RequestError($"'{name}' given {values.Count} times");
        return values[0] ?? "";
    }

    /// <summary>An integer in [0, <paramref name="count"/>).</summary>
    public static int Index(HttpRequest request, string name, int count)
    {
        string text = One(request, name);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            throw new RequestError($"'{name}' must be a non-negative integer, got '{Short(text)}'");
        if (i >= count) throw new RequestError($"'{name}' {i} is out of range [0, {count})");
        return i;
    }

    /// <summary>A latent vector of exactly <paramref name="k"/> comma-separated finite values, each within ±<see cref="MaxAbsZ"/>.</summary>
    public static float[] Code(HttpRequest request, string name, int k)
    {
        string[] parts = One(request, name).Split(',');
        if (parts.Length != k) throw new RequestError($"'{name}' has {parts.Length} values; the model has k = {k} latents");
        var z = new float[k];
        for (int j = 0; j < k; j++)
        {
            if (!float.TryParse(parts[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                throw new RequestError($"'{name}' value {j} is not a number: '{Short(parts[j])}'");
            if (!float.IsFinite(v)) throw new RequestError($"'{name}' value {j} is not finite");
            if (Math.Abs(v) > MaxAbsZ) throw new RequestError($"'{name}' value {j} ({v.ToString(CultureInfo.InvariantCulture)}) is outside ±{MaxAbsZ}");
            z[j] = v;
        }
        return z;
    }

    /// <summary>Enough of a bad value to recognise it, never the whole of a long one.</summary>
    static string Short(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
