#!/bin/sh
# The same as samples/PracticeSoftware with curl and jq: write to a colleague about a patient, then follow the message.
#   samples/curl.sh URL TOKEN COLLEAGUE     (URL: http://localhost:7480; TOKEN: from `miss token create NAME`)
set -eu
url=$1 token=$2 colleague=$3
auth="Authorization: Bearer $token"

curl -sf -H "$auth" "$url/api/status" | jq -r '"MiSS de \(.displayName) <\(.mailbox)>"'
conversation=$(curl -sf -H "$auth" -H 'Content-Type: application/json' "$url/api/conversations" \
  -d "{\"peer\":\"$colleague\",\"patient\":{\"family\":\"DURAND\",\"given\":\"Léa\",\"birth\":\"1948-05-12\"}}" | jq -r .id)
echo "Conversation #$conversation"
message=$(curl -sf -H "$auth" -H 'Content-Type: application/json' "$url/api/conversations/$conversation/messages" \
  -d '{"text":"Bonjour, pouvez-vous passer refaire le pansement jeudi ?"}' | jq -r .messageId)
echo "Message enregistré : $message"
# Live events (Ctrl+C to stop): each names what changed; re-read it with GET /api/messages/ID.
curl -sN -H "$auth" "$url/api/events"
