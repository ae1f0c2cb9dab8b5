# Build: the Node 24 toolchain comes from the project's own `node` devDependency, so any Node image works.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HYPERFLEET_LOGGING_FORMAT=json \
    HYPERFLEET_SERVER_HOST=0.0.0.0 HYPERFLEET_HEALTH_HOST=0.0.0.0 HYPERFLEET_METRICS_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
USER node
EXPOSE 8000 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:8080/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# a young generation of 2 x 8 MiB (V8 lets it grow to 64 MiB) and an old generation of at most 1 GiB, from
# which V8 sizes its growth (override with NODE_OPTIONS=--max-old-space-size=…): docs/operations.md, "Memory"
ENV NODE_OPTIONS="--max-old-space-size=1024"
CMD ["node", "--max-semi-space-size=8", "dist/apps/api/apps/api/src/main.js"]
