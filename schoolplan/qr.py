"""QR codes drawn as inline SVG on the server: no image file, no script (the two-factor set-up,
the meeting flyers)."""

from io import BytesIO


def qr_svg(data, box_size=8):
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size)
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration: the SVG sits inside the page.
    return svg[svg.index("<svg") :]
