# syntax=docker/dockerfile:1.7
# agent-commerce-worker: one image, three roles (ingress, worker, scheduler) chosen at run time.

# --- deps: production dependencies only -----------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- check: the type check and lint gate the image, as in CI --------------------------------
FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run lint

# --- runtime: small, non-root -------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
# No PUBLIC_BASE_URL: an image cannot know where it is reached. Like AUTH_TOKENS, it is given at
# run time (`docker run -e PUBLIC_BASE_URL=https://…`); with HOST=0.0.0.0 and no PUBLIC_BASE_URL
# the agent card would advertise http://0.0.0.0:3000/a2a, so start-up refuses (exit 2).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ROLE=all
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json package-lock.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node src ./src
COPY --chown=node:node jobs ./jobs
COPY --chown=node:node feeds ./feeds
# Makes the build depend on the check stage passing.
COPY --from=check /app/package.json /tmp/checked-package.json
USER node
EXPOSE 3000
# Liveness only: readiness (Redis, workers) is for the orchestrator's probe, not for restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself is the entry point (what `npm start` execs), so `docker stop` and Kubernetes signal
# the service directly: no npm or shell in between to swallow SIGTERM. As PID 1 it handles
# SIGTERM and SIGINT itself; `docker run --init` adds a reaper but is not needed for signals.
# The role comes from ROLE or from arguments: docker run IMAGE --role worker
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD []
