using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sbvae.Figures;

namespace Sbvae.Explorer;

/// <summary>
/// The explorer's HTTP interface: the page's assets and the computed data it asks for, all GET,
/// every query value checked by <see cref="RequestValues"/> (400 with a short reason otherwise).
/// </summary>
public static class ExplorerEndpoints
{
    public static void Map(WebApplication app, ExplorerSession session)
    {
        foreach (var (path, bytes, type) in Assets.All())
            app.MapGet(path, () => Results.Bytes(bytes, type));

        var data = session.Data;
        var models = session.Models;
        app.MapGet("/api/info", () => Results.Json(Info(session)));
        app.MapGet("/api/image", Checked(r => Png(data.Image(RequestValues.Index(r, "index", data.Count)), data.Size)));
        app.MapGet("/api/factors", Checked(r =>
        {
            int start = RequestValues.Index(r, "start", data.Count);
            int count = RequestValues.Index(r, "count", RequestValues.MaxRows + 1);
            var rows = Enumerable.Range(start, Math.Min(count, data.Count - start)).Select(i => (long)i).ToArray();
            return Results.Json(new { start, classes = Rows(data.Factors(rows), rows.Length, data.FactorNames.Count) });
        }));
        app.MapGet("/api/encode", Checked(r =>
        {
            var model = models[RequestValues.Index(r, "model", models.Count)];
            var (mu, logVar) = model.Encode(data.Image(RequestValues.Index(r, "index", data.Count)));
            return Results.Json(new { mu, logvar = logVar });
        }));
        app.MapGet("/api/reconstruct", Checked(r =>
        {
            var model = models[RequestValues.Index(r, "model", models.Count)];
            return Png(model.Reconstruct(data.Image(RequestValues.Index(r, "index", data.Count))), data.Size);
        }));
        app.MapGet("/api/decode", Checked(r =>
        {
            var model = models[RequestValues.Index(r, "model", models.Count)];
            return Png(model.Decode(RequestValues.Code(r, "z", model.Latent)), data.Size);
        }));
        app.MapGet("/api/sample", Checked(r =>
        {
            var model = models[RequestValues.Index(r, "model", models.Count)];
            return Results.Json(new { rows = data.Sample, mu = model.SampleMu, factors = data.Factors(data.Sample) });
        }));
    }

    static object Info(ExplorerSession s) => new
    {
        dataset = new
        {
            count = s.Data.Count,
            size = s.Data.Size,
            factorNames = s.Data.FactorNames,
            factorSizes = s.Data.FactorSizes,
            sample = s.Data.Sample.Length,
        },
        maxAbsZ = RequestValues.MaxAbsZ,
        collapsedKl = ExplorerModel.CollapsedKl,
        models = s.Models.Select(m => new
        {
            name = m.Name,
            run = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(m.RunDir))),
            latent = m.Latent,
            kl = m.Kl,
            order = m.Order,
            collapsed = m.Collapsed,
        }),
    };

    static int[][] Rows(int[] flat, int rows, int width) =>
        [.. Enumerable.Range(0, rows).Select(i => flat[(i * width)..((i + 1) * width)])];

    static IResult Png(float[] chw, int size) => Results.Bytes(ImagePng.Encode(chw, size), "image/png");

    /// <summary>The handler, with a refused value answered 400 and its reason as plain text.</summary>
    static Func<HttpRequest, IResult> Checked(Func<HttpRequest, IResult> handler) => request =>
    {
        try { return handler(request); }
        catch (RequestError e) { return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest); }
    };
}
