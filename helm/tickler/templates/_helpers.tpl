{{/* Names, labels and the component table every per-service template iterates over. */}}

{{- define "tickler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tickler.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "tickler.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "tickler.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tickler.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "tickler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tickler
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api"). */}}
{{- define "tickler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tickler.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tickler.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The four services. appId is the Dapr app id (the access-control policies, subscriptions and
component scopes name it); port is the one the probes use; appPort is what the sidecar calls
(none for the api and the worker, which only call their sidecar).
*/}}
{{- define "tickler.components" -}}
api:
  appId: api
  script: api/main.ts
  port: 4000
  appPort: 0
  database: true
  jwt: true
  appToken: false
  service: true
  autoscaling: true
worker:
  appId: worker
  script: worker/main.ts
  port: 4003
  appPort: 0
  database: true
  jwt: false
  appToken: false
  service: false
  autoscaling: false
syncService:
  appId: sync-service
  script: sync-service/main.ts
  port: 4001
  appPort: 4004
  database: false
  jwt: true
  appToken: true
  service: true
  autoscaling: true
auditService:
  appId: audit-service
  script: audit-service/main.ts
  port: 4002
  appPort: 4002
  database: true
  jwt: false
  appToken: true
  service: false
  autoscaling: false
{{- end -}}

{{/* The container-level security context every container gets (restricted Pod Security). */}}
{{- define "tickler.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Temporal's non-secret settings, as a map of env values: (root). */}}
{{- define "tickler.temporalConfig" -}}
TEMPORAL_ADDRESS: {{ .Values.temporal.address | quote }}
TEMPORAL_NAMESPACE: {{ .Values.temporal.namespace | quote }}
TEMPORAL_TLS: {{ .Values.temporal.tls.enabled | quote }}
{{- with .Values.temporal.tls.serverName }}
TEMPORAL_TLS_SERVER_NAME: {{ . | quote }}
{{- end }}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.ca }}
TEMPORAL_TLS_CA_FILE: /etc/tickler/temporal-tls/ca.crt
{{- end }}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.clientCert }}
TEMPORAL_TLS_CERT_FILE: /etc/tickler/temporal-tls/tls.crt
TEMPORAL_TLS_KEY_FILE: /etc/tickler/temporal-tls/tls.key
{{- end }}
{{- end -}}

{{/* Temporal's API key from its Secret, as env entries: (root). */}}
{{- define "tickler.temporalSecretEnv" -}}
{{- if .Values.temporal.apiKey.secretName }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.temporal.apiKey.secretName }}
      key: {{ .Values.temporal.apiKey.key }}
{{- end }}
{{- end -}}

{{- define "tickler.temporalTlsMounted" -}}
{{- if and .Values.temporal.tls.enabled (or .Values.temporal.tls.ca .Values.temporal.tls.clientCert) }}true{{ end -}}
{{- end -}}

{{/* The Secret volume with Temporal's CA and client certificate: (root). */}}
{{- define "tickler.temporalTlsVolume" -}}
- name: temporal-tls
  secret:
    secretName: {{ required "temporal.tls.secretName is required with temporal.tls.ca or clientCert" .Values.temporal.tls.secretName }}
    defaultMode: 0440
{{- end -}}

{{/*
The non-secret settings of one component (its ConfigMap, and the hash that rolls its pods when
they change): (dict "root" $ "key" "api" "c" <component>).
*/}}
{{- define "tickler.config" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .key -}}
HOST: 0.0.0.0
LOG_LEVEL: {{ $v.logLevel | quote }}
DAPR_HOST: 127.0.0.1
DAPR_HTTP_PORT: "3500"
SECRET_STORE: {{ $root.Values.dapr.secretStore.name | quote }}
{{- range $variable, $ref := fromYaml (include "tickler.secretRefs" (dict "root" $root "key" .key "c" .c)) }}
SECRET_REF_{{ $variable }}: {{ printf "%s/%s" $ref.secret $ref.key | quote }}
{{- end }}
{{- if .c.jwt }}
{{- if $root.Values.auth.jwksUrl }}
JWT_JWKS_URL: {{ $root.Values.auth.jwksUrl | quote }}
JWT_ISSUER: {{ required "auth.issuer is required with auth.jwksUrl" $root.Values.auth.issuer | quote }}
JWT_AUDIENCE: {{ required "auth.audience is required with auth.jwksUrl" $root.Values.auth.audience | quote }}
{{- end }}
{{- end }}
{{- if eq .key "api" }}
PORT: "4000"
AUDIT_APP_ID: audit-service
PUBLIC_URL: {{ default (printf "https://%s" $root.Values.ingress.host) $v.publicUrl | quote }}
{{- with $root.Values.auth.mcpAuthorizationServers }}
MCP_AUTHORIZATION_SERVERS: {{ join "," . | quote }}
{{- end }}
{{- else if eq .key "worker" }}
HEALTH_PORT: "4003"
{{- with $v.workflowBundle }}
WORKFLOW_BUNDLE: {{ . | quote }}
{{- end }}
NODE_OPTIONS: {{ printf "--max-old-space-size=%d" (int $v.maxOldSpaceMb) | quote }}
{{- with $root.Values.temporal.taskQueue }}
TASK_QUEUE: {{ . | quote }}
{{- end }}
{{ include "tickler.temporalConfig" $root }}
{{- else if eq .key "syncService" }}
PORT: "4001"
INTERNAL_HOST: 127.0.0.1
INTERNAL_PORT: "4004"
WS_PATH: {{ $root.Values.ingress.subscriptionsPath | quote }}
AUDIT_APP_ID: audit-service
MAX_SOCKETS_PER_ADDRESS: {{ $v.maxSocketsPerAddress | quote }}
{{- else if eq .key "auditService" }}
PORT: "4002"
{{- end }}
{{- range $name, $value := $v.env }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/*
What one component reads from the secret store, by variable: {secret, key} each. The app reads
them through its sidecar at start-up; its Role may get exactly these Secrets
(templates/secret-reader-rbac.yaml): (dict "root" $ "key" "api" "c" <component>).
*/}}
{{- define "tickler.secretRefs" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .key -}}
{{- if .c.database }}
DATABASE_URL: { secret: {{ $v.database.secretName }}, key: {{ $v.database.key }} }
{{- end }}
{{- if and .c.jwt (not $root.Values.auth.jwksUrl) }}
JWT_SECRET: { secret: {{ $root.Values.auth.jwtSecret.secretName }}, key: {{ $root.Values.auth.jwtSecret.key }} }
{{- end }}
{{- if .c.appToken }}
APP_API_TOKEN: { secret: {{ $root.Values.dapr.appTokenSecret }}, key: token }
{{- end }}
{{- if and (eq .key "worker") $root.Values.temporal.apiKey.secretName }}
TEMPORAL_API_KEY: { secret: {{ $root.Values.temporal.apiKey.secretName }}, key: {{ $root.Values.temporal.apiKey.key }} }
{{- end }}
{{- end -}}

{{/* A secret env entry: (list NAME secretName key). */}}
{{- define "tickler.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: {{ index . 2 }}
{{- end -}}

{{/* An egress rule to {peers, ports}; nothing when no peer is named. */}}
{{- define "tickler.egressRule" -}}
{{- if .peers -}}
- to:
    {{- toYaml .peers | nindent 4 }}
  ports:
    {{- range .ports }}
    - { port: {{ . }}, protocol: TCP }
    {{- end }}
{{- end }}
{{- end -}}
