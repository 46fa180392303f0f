# syntax=docker/dockerfile:1
# The sandbox AD DCs (CONTOSO.TEST and FABRIKAM.TEST, Samba 4.22) as one container, made by the
# project's own script (scripts/sandbox-dc.sh, see shared/design/SANDBOX-DC.md): for the demo only.
# Build from the repository root: docker build -f docker/samba-dc.Dockerfile -t rbcd-sandbox-dc .
FROM debian:bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    SANDBOX_DIR=/var/lib/rbcd-sandbox \
    SANDBOX_EXPORT_DIR=/export \
    SERVICE_UID=10001

# The packages sandbox-dc.sh would install on first `up` (samba 4.22 from bookworm-backports: 4.17
# does not honour RBCD in its KDC path), installed at build time; socat forwards LDAPS (below).
RUN printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/bookworm-backports.sources \
 && apt-get update \
 && apt-get install -y -t bookworm-backports samba samba-dsdb-modules python3-samba samba-common-bin winbind \
 && apt-get install -y --no-install-recommends krb5-user ldap-utils openssl iproute2 util-linux procps socat ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && samba --version

WORKDIR /opt/rbcd-sandbox
COPY scripts/sandbox-dc.sh scripts/sandbox-dc.sh
COPY scripts/sandbox/ scripts/sandbox/
COPY docker/samba-dc-entrypoint.sh /usr/local/bin/samba-dc-entrypoint
RUN chmod 755 scripts/sandbox-dc.sh /usr/local/bin/samba-dc-entrypoint

VOLUME ["/var/lib/rbcd-sandbox"]
EXPOSE 636 1636
HEALTHCHECK --interval=10s --timeout=10s --start-period=240s --retries=3 \
  CMD ["/opt/rbcd-sandbox/scripts/sandbox-dc.sh", "status"]
ENTRYPOINT ["/usr/local/bin/samba-dc-entrypoint"]
