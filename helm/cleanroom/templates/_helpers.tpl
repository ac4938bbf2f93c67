{{/*
The resources' name prefix. One release per namespace, like zero-to-jupyterhub, so that the hub's configuration
(plain values, not templates) can name the Services: cleanroom-bridge, cleanroom-dp-service.
*/}}
{{- define "cleanroom.fullname" -}}
{{- .Values.fullnameOverride | default .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource; "component" is bridge, dp-service or postgresql. */}}
{{- define "cleanroom.labels" -}}
{{ include "cleanroom.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "cleanroom.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference: <registry>/<name>@<digest>, or :<tag> (default: the chart's appVersion). */}}
{{- define "cleanroom.image" -}}
{{- $registry := required "image.registry is required: the registry the clean room's images were pushed to" .root.Values.image.registry | trimSuffix "/" -}}
{{- if .image.digest -}}
{{- printf "%s/%s@%s" $registry .image.name .image.digest -}}
{{- else -}}
{{- printf "%s/%s:%s" $registry .image.name (.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The hub's API as the services reach it: the hub installed here, or the URL given for another hub. */}}
{{- define "cleanroom.hubApiUrl" -}}
{{- if .given -}}
{{- .given -}}
{{- else if .root.Values.jupyterhub.enabled -}}
http://hub:8081/hub/api
{{- end -}}
{{- end -}}

{{/* The Secret with the JDBC URLs (keys jobs-url, ledger-url). */}}
{{- define "cleanroom.databaseSecret" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "cleanroom.fullname" . }}-database
{{- else -}}
{{- required "database.existingSecret is required when postgresql.enabled is false: a Secret with keys jobs-url and ledger-url (JDBC URLs of the external PostgreSQL)" .Values.database.existingSecret -}}
{{- end -}}
{{- end -}}

{{/*
The container security context of every clean room container: not root, nothing to escalate to, no capabilities,
a read-only root filesystem (the services write only to the volumes mounted for it).
*/}}
{{- define "cleanroom.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* The images' user and group, nobody (images/: ServiceImage); the JVM's scratch files go to /tmp. */}}
{{- define "cleanroom.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65534
runAsGroup: 65534
fsGroup: 65534
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Dataset volumes: views-<i> (both services) and, with "data", data-<i> (the DP query service only). */}}
{{- define "cleanroom.datasetVolumes" -}}
{{- range $i, $d := .root.Values.datasets }}
- name: views-{{ $i }}
  {{- toYaml $d.viewsVolume | nindent 2 }}
{{- if $.data }}
- name: data-{{ $i }}
  {{- toYaml $d.dataVolume | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "cleanroom.datasetMounts" -}}
{{- range $i, $d := .root.Values.datasets }}
- name: views-{{ $i }}
  mountPath: /var/lib/cleanroom/datasets/{{ $d.name }}/views
  readOnly: true
{{- if $.data }}
- name: data-{{ $i }}
  mountPath: /var/lib/cleanroom/datasets/{{ $d.name }}/data
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* The views folder of dataset $d inside the pods. */}}
{{- define "cleanroom.viewsDir" -}}
{{- printf "/var/lib/cleanroom/datasets/%s/views" .name -}}{{ with .viewsPath }}/{{ . | trimPrefix "/" | trimSuffix "/" }}{{ end }}
{{- end -}}

{{/*
Checks what the schema cannot: the hub's configuration (zero-to-jupyterhub's plain values) must name this chart's
Services and images.
*/}}
{{- define "cleanroom.checkHubValues" -}}
{{- if .Values.jupyterhub.enabled -}}
{{- $bridgeUrl := printf "http://%s-bridge:%v" (include "cleanroom.fullname" .) .Values.bridge.port -}}
{{- $service := dig "hub" "services" "bridge" "url" "" .Values.jupyterhub -}}
{{- if ne $service $bridgeUrl -}}
{{- fail (printf "jupyterhub.hub.services.bridge.url is '%s' but the bridge's Service is %s: set it to that URL" $service $bridgeUrl) -}}
{{- end -}}
{{- $baseUrl := dig "hub" "baseUrl" "/" .Values.jupyterhub -}}
{{- if ne $baseUrl "/" -}}
{{- fail (printf "jupyterhub.hub.baseUrl is '%s': the clean room's endpoints (the bridge under /services/bridge/, the single-user servers' DCR_BRIDGE_URL) assume the hub at /; leave it unset" $baseUrl) -}}
{{- end -}}
{{- $singleuser := printf "%s/cleanroom-singleuser" (.Values.image.registry | trimSuffix "/") -}}
{{- $image := dig "singleuser" "image" "name" "" .Values.jupyterhub -}}
{{- if ne $image $singleuser -}}
{{- fail (printf "jupyterhub.singleuser.image.name is '%s' but the clean room's single-user image is %s: set it to that name" $image $singleuser) -}}
{{- end -}}
{{- end -}}
{{- end -}}
