from ..models import Order
from ..services import place


def create_order(request):
    place(request.POST["slug"], int(request.POST["number"]), request.user.pk)
    return Order.objects.filter(entry__slug=request.POST["slug"]).count()
