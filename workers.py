"""Entry point of `dramatiq workers`: the broker from the settings and the `messages.send` actor."""

import dramatiq

from nurture.delivery.broker import make_broker, send_actor
from nurture.delivery.tasks import worker_process

worker_process()
broker = make_broker()
dramatiq.set_broker(broker)
send = send_actor(broker)
