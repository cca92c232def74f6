from django.core.management.base import BaseCommand, CommandError

from bench.seed import INSTITUTIONS_PER_SCALE, seed_bench


class Command(BaseCommand):
    help = (
        f"Add N x a Yuyao-sized county of fictional data inside Yuyao's region tree for load benchmarks "
        f"({INSTITUTIONS_PER_SCALE} institutions per unit of scale, with staff, reviews and training; "
        "on top of the reference and demo data; deterministic; a second run adds nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="how many counties' worth (1 = 300 institutions)")
        parser.add_argument("--institutions", type=int, help="an exact number of institutions instead of --scale")

    def handle(self, *args, scale, institutions, **options):
        if scale <= 0 or (institutions is not None and institutions < 0):
            raise CommandError("--scale must be above 0 and --institutions at least 0.")
        created = seed_bench(scale=scale, institutions=institutions)
        summary = ", ".join(f"{name} {count}" for name, count in sorted(created.items())) or "nothing: already seeded"
        self.stdout.write(f"seed_bench created: {summary}")
