# Roomcast: one self-hosted Deno server for live rooms (images, workspaces, media, streams, code).
# Build: docker build -t roomcast .
# Run:   docker run -p 8080:8080 -p 1935:1935 -v roomcast-data:/data roomcast
#        (add --ulimit nofile=65536:65536 where the engine's hard limit is low)
FROM denoland/deno:debian-2.9.6

# ffmpeg turns RTMP publishes into HLS and makes thumbnails; tini reaps it and forwards signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /app \
 && chown deno:deno /data /app

WORKDIR /app
USER deno
# Dependencies first, in a layer of their own, so code edits do not refetch them: `deno install`
# with only deno.json and deno.lock caches every npm package the import map pins.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen
COPY --chown=deno:deno . .
RUN deno cache --frozen main.ts scripts/bundle.ts static/src/*.tsx \
 && deno run -A scripts/bundle.ts

ENV DATA_DIR=/data PORT=8080 HOST=0.0.0.0 RTMP_PORT=1935
VOLUME ["/data"]
EXPOSE 8080 1935

ENTRYPOINT ["/usr/bin/tini", "--"]
# Every connection holds a descriptor: raise the soft open-file limit to the hard one (engines
# often give 1024 of 524288). -A because Deno reads /proc/self, where Roomcast counts its
# descriptors, only with every permission; --allow-run alone already allowed as much.
CMD ["sh", "-c", "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec deno run --v8-flags=--max-semi-space-size=1 -A main.ts"]
