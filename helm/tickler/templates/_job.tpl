{{/*
A Job running one of the image's scripts: (dict "root" $ "component" "migrations" "script"
"scripts/migrate.ts" "env" <yaml list> "hook" "pre-install,pre-upgrade"|"test"|"" "weight" "0"
"resources" {...} "volumes" <yaml list>). As a hook it is deleted once it succeeded (a failed one
stays for its logs); as a plain Job (GitOps) its name carries the image and its settings, so a
new version makes a new Job instead of patching an immutable one.
*/}}
{{- define "tickler.job" -}}
{{- $root := .root -}}
{{- $m := $root.Values.migrations -}}
{{- $name := printf "%s-%s" (include "tickler.fullname" $root) .component -}}
{{- $selector := dict "root" $root "component" .component -}}
apiVersion: batch/v1
kind: Job
metadata:
  {{- if .hook }}
  name: {{ $name }}
  {{- else }}
  name: {{ printf "%s-%s" $name (printf "%s%s" (include "tickler.image" $root) .env | sha256sum | trunc 8) }}
  {{- end }}
  labels:
    {{- include "tickler.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  annotations:
    {{- if .hook }}
    helm.sh/hook: {{ .hook }}
    helm.sh/hook-weight: {{ .weight | quote }}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- else }}
    {{- with $m.jobAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
spec:
  backoffLimit: {{ $m.backoffLimit }}
  activeDeadlineSeconds: {{ $m.activeDeadlineSeconds }}
  {{- if not .hook }}
  ttlSecondsAfterFinished: {{ $m.ttlSecondsAfterFinished }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "tickler.selectorLabels" $selector | nindent 8 }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ .serviceAccount }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "tickler.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          # The image's entrypoint runs TypeScript (node --import tsx); the argument picks the program.
          args: [{{ .script }}]
          env:
            {{- .env | nindent 12 }}
          resources:
            {{- toYaml $m.resources | nindent 12 }}
          securityContext:
            {{- include "tickler.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .tls }}
            - name: temporal-tls
              mountPath: /etc/tickler/temporal-tls
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 16Mi
        {{- if .tls }}
        {{- include "tickler.temporalTlsVolume" $root | nindent 8 }}
        {{- end }}
{{- end -}}

{{/* The ServiceAccount of a Job, a hook alongside it when the Job is one: (dict "root" $ "component" c "hook" h "weight" w). */}}
{{- define "tickler.jobServiceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "tickler.fullname" .root }}-{{ .component }}
  labels:
    {{- include "tickler.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  {{- if .hook }}
  annotations:
    helm.sh/hook: {{ .hook }}
    helm.sh/hook-weight: {{ .weight | quote }}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
  {{- end }}
automountServiceAccountToken: false
{{- end -}}
