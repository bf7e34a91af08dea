"""Events across the seams: the outbox bus, in-process delivery with the inbox, the
relay to the broker and its consumer, the routing of events and tasks to queues."""
