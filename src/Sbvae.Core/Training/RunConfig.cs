using System.Text.Json;
using System.Text.Json.Serialization;
using Sbvae.Models;

namespace Sbvae.Training;

/// <summary>The resolved configuration of one run: the model and how it is trained.</summary>
public sealed record RunConfig(ModelConfig Model, TrainConfig Train)
{
    /// <summary>Every field at its record default: the reference recipe.</summary>
    public static RunConfig Default { get; } = new(new ModelConfig(), new TrainConfig());

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Json) ?? throw new SbvaeException($"{source}: empty configuration");
        }
        catch (JsonException e)
        {
            throw new SbvaeException($"{source}: invalid configuration ({e.Message.Split('\n')[0]})");
        }
    }
}
