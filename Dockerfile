# Switchboard's container image (issue 17): built from the sources, run on a small JRE, as a
# user that is not root. Build: docker build -t switchboard .
# Run one node:  docker run -p 8080:8080 -v switchboard-data:/data switchboard
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src src
COPY webroot webroot
COPY conf conf
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# curl only for the health check
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin switchboard \
    && mkdir -p /data /etc/switchboard && chown switchboard /data
COPY --from=build /src/target/switchboard.jar /opt/switchboard/switchboard.jar
# the demo set-up; mount your own at /etc/switchboard/config.json
COPY conf/config.json /etc/switchboard/config.json
# the embedded record (SQLite) lives beside the config unless SWITCHBOARD_RECORD_URL names a database:
# point it at the data volume
ENV SWITCHBOARD_RECORD_URL=jdbc:sqlite:/data/switchboard.db
USER switchboard
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/switchboard/switchboard.jar", "-conf", "/etc/switchboard/config.json"]
