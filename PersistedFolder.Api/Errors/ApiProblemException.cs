namespace PersistedFolder.Api.Errors;

/// <summary>Carries an <see cref="ApiProblem"/> through model state or up to the exception handler.</summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(ApiProblem problem)
        : base(problem.Error.Detail)
    {
        Problem = problem;
    }

    public ApiProblem Problem { get; }
}
