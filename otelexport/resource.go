package otelexport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ghjobs/ghjobs/wrapper"
)

// WithResource adds attributes to the resource the spans are sent with, over those Export
// sets and those of the environment: service.name, for one. Without it, the resource says
// which repository the attempt is of (vcs.provider.name, vcs.owner.name,
// vcs.repository.name), names the service after the repository as the Collector's GitHub
// receiver does (lower case, '_' as '-'), and takes OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES over those, as OpenTelemetry SDKs do.
func WithResource(r *resource.Resource) Option {
	return func(c *config) { c.res = append(c.res, r) }
}

// Resource is the resource Export sends attempt a's spans with: the repository's attributes,
// then the SDK's and the environment's (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), then
// extra, each over the one before. A malformed variable is an error matching
// wrapper.ErrInvalidInput: a program can call Resource to say so before it lists anything.
func Resource(ctx context.Context, a wrapper.Attempt, extra ...*resource.Resource) (*resource.Resource, error) {
	res := resource.NewSchemaless(
		semconv.ServiceName(serviceName(a.Repo)),
		semconv.VCSProviderNameGithub,
		semconv.VCSOwnerName(a.Owner),
		semconv.VCSRepositoryName(a.Repo),
	)
	env, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil {
		// A malformed OTEL_RESOURCE_ATTRIBUTES: said before anything is listed or sent.
		return nil, fmt.Errorf("%w: OTEL_RESOURCE_ATTRIBUTES or OTEL_SERVICE_NAME: %v", wrapper.ErrInvalidInput, err)
	}
	for _, r := range append([]*resource.Resource{env}, extra...) {
		merged, err := resource.Merge(res, r)
		if err != nil && !errors.Is(err, resource.ErrSchemaURLConflict) {
			return nil, fmt.Errorf("ghjobs: resource: %w", err)
		}
		res = merged
	}
	return res, nil
}

// serviceName is the Collector GitHub receiver's service name for a repository.
func serviceName(repo string) string {
	return strings.ToLower(strings.ReplaceAll(repo, "_", "-"))
}
