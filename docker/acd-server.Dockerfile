# The acd-server image for the scale-out deployment (docker/compose.yaml).
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm i -g pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages ./packages
COPY tests/package.json ./tests/package.json
RUN pnpm install --frozen-lockfile --prod=false
ENV NODE_ENV=production HOTLINE_DATA_DIR=/data
VOLUME /data
EXPOSE 8080 5060/udp 5060/tcp 5061/tcp
USER node
CMD ["pnpm", "start"]
