# syntax=docker/dockerfile:1
# elasticache-local: build with the dev dependencies, run with production dependencies only.

FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

FROM node:20-alpine
# Listen on every interface so the published port reaches the server (its default is 127.0.0.1).
ENV NODE_ENV=production \
    ELASTICACHE_BIND=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY README.md ./
# The node image's unprivileged user.
USER node
# The Redis protocol, and the memcached engine (memcached-port; more with memcached-nodes).
EXPOSE 6379 11211
# No redis-cli in the image: a PING over TCP from node. NOAUTH also proves the server is up.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "const s=require('net').connect(+(process.env.ELASTICACHE_PORT||6379),'127.0.0.1');s.setTimeout(2000,()=>process.exit(1));s.on('error',()=>process.exit(1));s.on('data',d=>process.exit(/^(\+PONG|-NOAUTH)/.test(d.toString())?0:1));s.write('PING\r\n')"
CMD ["node", "dist/cli.js"]
