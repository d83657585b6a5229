# egoist as a container image: `docker build -t egoist .`, then e.g.
#   docker run --rm -p 61223:61223 -p 8080:8080 egoist tracker
# See compose.yaml for a tracker with three nodes and docs/DEPLOY.md for the ports.

# Stage 1: build the shaded jar with Maven (tests run in CI, not here).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# Stage 2: only a JRE and the jar, run as an unprivileged user.
FROM eclipse-temurin:17-jre AS runtime
RUN groupadd --system --gid 10001 egoist \
 && useradd --system --uid 10001 --gid egoist --home-dir /var/lib/egoist --create-home --shell /usr/sbin/nologin egoist
COPY --from=build /src/target/egoist.jar /opt/egoist/egoist.jar
COPY deploy/tracker.example.yaml deploy/node.example.yaml /etc/egoist/
USER egoist
WORKDIR /var/lib/egoist
# tracker (nodes register here), tracker HTTP (/api/overlay, /healthz, /metrics),
# node P (neighbor links) and P + 1 (echo probes), node control API.
EXPOSE 61223 8080 7000 7001 7080
# The tracker and the node stop cleanly on SIGTERM (docker stop) and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/egoist/egoist.jar"]
CMD ["--help"]
