#!/bin/busybox sh
# Starts the engine's HTTP server on port 8080 (VERITONE_WEBHOOK_READY and VERITONE_WEBHOOK_PROCESS name it), in the
# foreground, with its log (and the CGI scripts' messages) on stdout.
echo "Keyword engine listening on port 8080"
exec /bin/busybox httpd -f -v -p 8080 -h /www 2>&1
