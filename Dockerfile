# The api and the worker, built from this repository. docker-compose.yml builds the
# `api` and `worker` targets; by hand: docker build --target api -t rnh-api .
FROM node:20-bookworm-slim AS build
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1
WORKDIR /app

# pnpm at the version package.json pins (packageManager).
COPY package.json ./
RUN npm install --global --no-audit --no-fund --loglevel=error \
    "pnpm@$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")"

# Dependencies first, from the lockfile alone, so a code change does not refetch them.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm exec turbo run build --filter=@rnh/api --filter=@rnh/worker

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node

# Each app runs from its own directory: the telemetry preload reads the service name and
# version from ./package.json, and the api keeps API_DATA_DIR (.data) there.
FROM runtime AS worker
WORKDIR /app/apps/worker
EXPOSE 3001
CMD ["node", "--enable-source-maps", "--import", "@rnh/telemetry/instrumentation", "dist/main.js"]

FROM runtime AS api
WORKDIR /app/apps/api
# 9464: GET /metrics, on loopback unless API_METRICS_HOST says otherwise (0.0.0.0 for a scraper
# in another container, as in docker-compose.yml).
EXPOSE 3000 9464
CMD ["node", "--enable-source-maps", "--import", "@rnh/telemetry/instrumentation", "dist/main.js"]
