"""The ObjectOS components as a Pulumi package for every language.

`pulumi package add <repo>.git/provider@v<version>` (or a local path to this
folder) starts this host, which infers the package schema from the components'
type annotations and docstrings and constructs a component on each request.
"""

import objectos_components
from pulumi.provider.experimental import component_provider_host

PACKAGE = "objectos"  # the first part of every component's type token, objectos:index:<Name>
NAMESPACE = "objectos"

if __name__ == "__main__":
    component_provider_host(
        name=PACKAGE,
        components=objectos_components.all_components(),
        namespace=NAMESPACE,
        version=objectos_components.__version__,
    )
