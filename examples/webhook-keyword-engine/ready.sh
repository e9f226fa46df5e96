#!/bin/busybox sh
# The ready webhook: the engine needs no start-up work, so it is ready as soon as the server answers.
printf 'Content-Type: text/plain\r\n\r\nOK\n'
