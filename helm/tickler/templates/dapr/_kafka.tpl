{{/* The Kafka metadata both pub/sub components share: (dict "root" $ "secret" name). */}}
{{- define "tickler.kafkaMetadata" -}}
{{- $k := .root.Values.kafka -}}
- name: brokers
  secretKeyRef: { name: {{ .secret }}, key: {{ $k.brokersKey }} }
# SASL/SCRAM as the deployment's Kafka user, from a Kubernetes Secret.
- name: authType
  value: password
- name: saslMechanism
  value: {{ $k.saslMechanism | quote }}
- name: saslUsername
  secretKeyRef: { name: {{ .secret }}, key: {{ $k.usernameKey }} }
- name: saslPassword
  secretKeyRef: { name: {{ .secret }}, key: {{ $k.passwordKey }} }
- name: disableTls
  value: {{ not $k.tls.enabled | quote }}
{{- if and $k.tls.enabled $k.tls.caKey }}
- name: caCert
  secretKeyRef: { name: {{ .secret }}, key: {{ $k.tls.caKey }} }
{{- end }}
# Kafka 4 removed the old protocol versions Dapr defaults to (2.0.0.0): say which we speak.
- name: version
  value: {{ $k.protocolVersion | quote }}
{{- end -}}
